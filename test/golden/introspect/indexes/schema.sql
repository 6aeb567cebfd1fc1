-- Indexes: methods, expressions, opclasses, collations, order and nulls, INCLUDE, partial, unique, comments,
-- and an INVALID index left behind by a failed concurrent build.
CREATE TABLE events (
  id bigint PRIMARY KEY,
  kind text NOT NULL,
  "Payload" jsonb,
  name text COLLATE "C",
  score integer,
  created_at timestamptz,
  deleted_at timestamptz,
  CONSTRAINT events_kind_key UNIQUE (kind, id)
);
CREATE INDEX events_created_idx ON events (kind, created_at DESC);
CREATE INDEX events_nulls_idx ON events (score NULLS FIRST, created_at DESC NULLS LAST);
CREATE INDEX events_score_desc_first_idx ON events (score DESC NULLS FIRST);
CREATE UNIQUE INDEX "Events Lower Name" ON events (lower(name), (score + 1)) WHERE deleted_at IS NULL;
CREATE INDEX events_payload_gin ON events USING gin ("Payload" jsonb_path_ops);
CREATE INDEX events_payload_default_gin ON events USING gin ("Payload");
CREATE INDEX events_kind_hash ON events USING hash (kind);
CREATE INDEX events_name_pattern ON events (name text_pattern_ops);
CREATE INDEX events_kind_collate ON events (kind COLLATE "C");
CREATE INDEX events_name_collate_default ON events (name COLLATE "default");
CREATE INDEX events_covering ON events (kind) INCLUDE (score, created_at);
CREATE INDEX events_partial ON events (created_at) WHERE kind <> 'closed' AND score > 0;
CREATE INDEX events_brin ON events USING brin (created_at);
COMMENT ON INDEX events_covering IS 'covers the list query';
INSERT INTO events (id, kind, score) VALUES (1, 'a', 1), (2, 'b', 1);
-- @separate fails
CREATE UNIQUE INDEX CONCURRENTLY events_score_unique ON events (score);
