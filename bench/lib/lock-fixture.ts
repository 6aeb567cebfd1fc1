import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lock-safety scenario shared by test/integration/lock-safety.test.ts and bench/locks.ts: a large table
 * with a parent, and a desired state adding an index, a foreign key, a CHECK and NOT NULL to it.
 */

export const LOCK_TABLE = 'lock_child';
export const LOCK_PARENTS = 1000;

/**
 * The live database before the change: `rows` child rows, none violating what the change adds. Separate
 * statements: VACUUM cannot run in the implicit transaction of a multi-statement query.
 */
export function lockSetupStatements(rows: number): string[] {
  return [
    `CREATE TABLE lock_parent (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO lock_parent SELECT g, 'p' || g FROM generate_series(1, ${LOCK_PARENTS}) g;`,
    `CREATE TABLE ${LOCK_TABLE} (
  id bigint PRIMARY KEY,
  parent_id bigint,
  amount integer,
  code text,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ${LOCK_TABLE} (id, parent_id, amount, code)
  SELECT g, (g % ${LOCK_PARENTS}) + 1, g % 10000, 'c' || g FROM generate_series(1, ${rows}) g`,
    `VACUUM ANALYZE lock_parent, ${LOCK_TABLE}`,
  ];
}

export const LOCK_DESIRED_YAML = `schema: public
tables:
  lock_parent:
    columns:
      id: { type: bigint, primaryKey: true }
      name: { type: text, notNull: true }
  ${LOCK_TABLE}:
    columns:
      id: { type: bigint, primaryKey: true }
      parent_id: { type: bigint }
      amount: { type: integer }
      code: { type: text, notNull: true }
      created_at: { type: timestamptz, notNull: true, default: now() }
    foreignKeys:
      ${LOCK_TABLE}_parent_id_fkey:
        columns: [parent_id]
        references: { table: lock_parent }
    checks:
      ${LOCK_TABLE}_amount_check: amount >= 0
    indexes:
      ${LOCK_TABLE}_amount_created_idx: { columns: [amount, created_at] }
`;

/** Write the desired state into `dir/schema` and return that directory. */
export function writeLockDesired(dir: string): string {
  const schemaDir = join(dir, 'schema');
  mkdirSync(schemaDir, { recursive: true });
  writeFileSync(join(schemaDir, 'tables.yaml'), LOCK_DESIRED_YAML);
  return schemaDir;
}

/** The same change written the naive way: plain statements in one transaction. */
export const NAIVE_SQL = `BEGIN;
CREATE INDEX ${LOCK_TABLE}_amount_created_idx ON ${LOCK_TABLE} (amount, created_at);
ALTER TABLE ${LOCK_TABLE} ADD CONSTRAINT ${LOCK_TABLE}_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES lock_parent (id);
ALTER TABLE ${LOCK_TABLE} ADD CONSTRAINT ${LOCK_TABLE}_amount_check CHECK (amount >= 0);
ALTER TABLE ${LOCK_TABLE} ALTER COLUMN code SET NOT NULL;
COMMIT;`;
