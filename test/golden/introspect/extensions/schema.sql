-- Extension members (types, functions, operators) are the extension's, not ours or unmanaged; columns and
-- indexes that use them are ours. An extension in an unmanaged schema is not listed.
CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE SCHEMA ext;
CREATE EXTENSION hstore SCHEMA ext;
CREATE TABLE people (
  id integer PRIMARY KEY,
  email citext NOT NULL UNIQUE,
  attrs ext.hstore,
  name text
);
CREATE INDEX people_name_trgm ON people USING gin (name gin_trgm_ops);
CREATE INDEX people_name_gist ON people USING gist (name public.gist_trgm_ops);
