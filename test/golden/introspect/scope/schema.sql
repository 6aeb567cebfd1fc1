-- What is read: only managed schemas, never the ledger schema, nothing matched by ignore patterns.
CREATE SCHEMA tidemark;
CREATE TABLE tidemark.ledger (id integer PRIMARY KEY);
CREATE SCHEMA app;
CREATE SCHEMA other;
CREATE TABLE other.untouched (id integer PRIMARY KEY);
CREATE TABLE app.keep (id integer PRIMARY KEY, other_id integer REFERENCES other.untouched);
CREATE TABLE app.tmp_scratch (id integer);
CREATE TABLE app._prisma_migrations (id text);
CREATE TYPE app.tmp_kind AS ENUM ('a');
CREATE SEQUENCE app.tmp_seq;
CREATE VIEW app.tmp_view AS SELECT 1 AS one;
CREATE TABLE public.plain (id integer);
