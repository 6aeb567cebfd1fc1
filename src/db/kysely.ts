import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';

/**
 * Kysely over one already-connected `pg.Client`, typed with the catalog columns tidemark reads. The client is
 * borrowed, never released or ended here: the caller owns the connection and its transaction, so every query
 * built on this instance runs inside whatever `BEGIN` the caller issued on that client.
 *
 * Only the columns we read are typed. `oid` columns are numbers (pg parses oid as int); `int2vector` and
 * `oidvector` columns arrive as text, so queries cast them to arrays before use.
 */

type Oid = number;

export interface PgNamespace {
  oid: Oid;
  nspname: string;
}

export interface PgClass {
  oid: Oid;
  relname: string;
  relnamespace: Oid;
  relkind: string;
  relispartition: boolean;
  reltuples: number;
  reltoastrelid: Oid;
  relam: Oid;
}

export interface PgAttribute {
  attrelid: Oid;
  attname: string;
  attnum: number;
  atttypid: Oid;
  atttypmod: number;
  attnotnull: boolean;
  attisdropped: boolean;
  attidentity: string;
  attgenerated: string;
  attcollation: Oid;
}

export interface PgType {
  oid: Oid;
  typname: string;
  typnamespace: Oid;
  typtype: string;
  typcollation: Oid;
  typrelid: Oid;
}

export interface PgAttrdef {
  adrelid: Oid;
  adnum: number;
  adbin: unknown;
}

export interface PgConstraint {
  oid: Oid;
  conname: string;
  connamespace: Oid;
  contype: string;
  condeferrable: boolean;
  condeferred: boolean;
  convalidated: boolean;
  conrelid: Oid;
  conindid: Oid;
  confrelid: Oid;
  conparentid: Oid;
  confupdtype: string;
  confdeltype: string;
  confmatchtype: string;
  connoinherit: boolean;
  conkey: number[] | null;
  confkey: number[] | null;
  conbin: unknown;
}

export interface PgIndex {
  indexrelid: Oid;
  indrelid: Oid;
  indnatts: number;
  indnkeyatts: number;
  indisunique: boolean;
  indisprimary: boolean;
  indisvalid: boolean;
  /** PostgreSQL 15 and later. */
  indnullsnotdistinct: boolean;
  indkey: string;
  indcollation: string;
  indclass: string;
  indoption: string;
  indpred: unknown;
}

export interface PgAm {
  oid: Oid;
  amname: string;
}

export interface PgOpclass {
  oid: Oid;
  opcname: string;
  opcnamespace: Oid;
  opcdefault: boolean;
}

export interface PgCollation {
  oid: Oid;
  collname: string;
  collnamespace: Oid;
}

export interface PgDescription {
  objoid: Oid;
  classoid: Oid;
  objsubid: number;
  description: string;
}

export interface PgDepend {
  classid: Oid;
  objid: Oid;
  objsubid: number;
  refclassid: Oid;
  refobjid: Oid;
  refobjsubid: number;
  deptype: string;
}

export interface PgSequence {
  seqrelid: Oid;
  seqtypid: Oid;
  seqstart: string;
  seqincrement: string;
  seqmax: string;
  seqmin: string;
  seqcache: string;
  seqcycle: boolean;
}

export interface PgExtension {
  oid: Oid;
  extname: string;
  extnamespace: Oid;
  extversion: string;
}

export interface PgEnum {
  oid: Oid;
  enumtypid: Oid;
  enumsortorder: number;
  enumlabel: string;
}

export interface PgProc {
  oid: Oid;
  proname: string;
  pronamespace: Oid;
  prokind: string;
}

export interface PgTrigger {
  oid: Oid;
  tgrelid: Oid;
  tgname: string;
  tgisinternal: boolean;
}

export interface PgPolicy {
  oid: Oid;
  polname: string;
  polrelid: Oid;
}

export interface PgRewrite {
  oid: Oid;
  rulename: string;
  ev_class: Oid;
}

export interface PgInherits {
  inhrelid: Oid;
  inhparent: Oid;
}

export interface Catalog {
  pg_namespace: PgNamespace;
  pg_class: PgClass;
  pg_attribute: PgAttribute;
  pg_type: PgType;
  pg_attrdef: PgAttrdef;
  pg_constraint: PgConstraint;
  pg_index: PgIndex;
  pg_am: PgAm;
  pg_opclass: PgOpclass;
  pg_collation: PgCollation;
  pg_description: PgDescription;
  pg_depend: PgDepend;
  pg_sequence: PgSequence;
  pg_extension: PgExtension;
  pg_enum: PgEnum;
  pg_proc: PgProc;
  pg_trigger: PgTrigger;
  pg_policy: PgPolicy;
  pg_rewrite: PgRewrite;
  pg_inherits: PgInherits;
}

/** The slice of `pg.Client` Kysely needs; a wrapper (e.g. one counting queries) may stand in for it. */
export type QueryClient = Pick<pg.Client, 'query'>;

export function catalogDb(client: QueryClient): Kysely<Catalog> {
  const borrowed = {
    query: (text: string, parameters: readonly unknown[]) => client.query(text, [...parameters]),
    release: () => {},
  };
  return new Kysely<Catalog>({
    dialect: new PostgresDialect({
      pool: {
        // biome-ignore lint/suspicious/noExplicitAny: Kysely's pool client also accepts cursors, which we never use.
        connect: async () => borrowed as any,
        end: async () => {},
      },
    }),
  });
}
