/**
 * Deterministic synthetic schemas for the introspection benchmark, modelled on the research baseline
 * (../shared/research/perf-baseline.md): every table has 8–15 columns of mixed types, a primary key, 1–3
 * foreign keys to earlier tables (30% to the first 20 "hub" tables) with mixed ON DELETE actions, 1–2 CHECKs,
 * and 2–4 secondary indexes (always a composite and a unique one, usually a partial one, sometimes an FK or a
 * GIN index), over 5 shared enums. The same options always give the same SQL.
 *
 * `npx tsx bench/generate-schema.ts --tables 1000 [--seed 42] > schema.sql`
 */

export interface SchemaOptions {
  readonly tables: number;
  readonly seed?: number;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = [
  'account',
  'order',
  'invoice',
  'driver',
  'policy',
  'shipment',
  'product',
  'customer',
  'ticket',
  'event',
];

const ENUMS: Record<string, readonly string[]> = {
  order_status: ['open', 'pending', 'paid', 'shipped', 'closed'],
  currency_code: ['USD', 'EUR', 'GBP', 'JPY'],
  priority_level: ['low', 'medium', 'high', 'urgent'],
  user_role: ['viewer', 'editor', 'admin'],
  region_code: ['eu', 'us', 'apac', 'latam', 'mea'],
};

const EXTRA_COLUMNS: readonly string[] = [
  'qty integer NOT NULL DEFAULT 1',
  'big_counter bigint',
  "payload jsonb NOT NULL DEFAULT '{}'::jsonb",
  'is_active boolean NOT NULL DEFAULT true',
  'title varchar(200)',
  'note text',
  "currency currency_code NOT NULL DEFAULT 'USD'",
  'priority priority_level',
  'role user_role',
  "region region_code DEFAULT 'eu'",
  'score numeric(12,2)',
  'archived boolean DEFAULT false',
];

export function tableName(i: number): string {
  return `${NOUNS[i % NOUNS.length]}_${String(i).padStart(4, '0')}`;
}

export function enumStatements(): string[] {
  return Object.entries(ENUMS).map(
    ([name, values]) => `CREATE TYPE ${name} AS ENUM (${values.map((v) => `'${v}'`).join(', ')});`,
  );
}

/** The statements creating table i (table, then its indexes). */
export function tableStatements(i: number, random: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const name = tableName(i);
  const uuidKey = keyType(i) === 'uuid';
  const columns = [
    uuidKey ? 'id uuid NOT NULL DEFAULT gen_random_uuid()' : 'id bigint GENERATED ALWAYS AS IDENTITY',
    'code text NOT NULL',
    'email text',
    "status order_status NOT NULL DEFAULT 'open'",
    'amount numeric(12,2) NOT NULL DEFAULT 0',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'updated_at timestamptz',
    'deleted_at timestamptz',
  ];
  const constraints = [`CONSTRAINT ${name}_pkey PRIMARY KEY (id)`];
  const fkColumns: string[] = [];
  const fkCount = i === 0 ? 0 : 1 + Math.floor(random() * 3);
  const targets = new Set<number>();
  for (let f = 0; f < fkCount; f++) {
    const target = random() < 0.3 ? Math.floor(random() * Math.min(20, i)) : Math.floor(random() * i);
    if (targets.has(target)) continue;
    targets.add(target);
    const targetName = tableName(target);
    const column = `${targetName}_id`;
    // The referenced key type follows the target's own key type, drawn from the same sequence.
    columns.push(`${column} ${keyType(target)}`);
    fkColumns.push(column);
    const action = pick(['CASCADE', 'RESTRICT', 'SET NULL', 'NO ACTION']);
    constraints.push(
      `CONSTRAINT ${name}_${column}_fkey FOREIGN KEY (${column}) REFERENCES ${targetName} (id) ON DELETE ${action}`,
    );
  }
  const extras = shuffle(EXTRA_COLUMNS, random).slice(0, Math.floor(random() * 5));
  columns.push(...extras);
  const has = (prefix: string) => extras.some((c) => c.startsWith(`${prefix} `));
  const checks = shuffle(
    ['amount >= 0', 'char_length(code) > 0', 'updated_at >= created_at', ...(has('qty') ? ['qty > 0'] : [])],
    random,
  );
  const checkCount = 1 + Math.floor(random() * 2);
  checks.slice(0, checkCount).forEach((check, c) => {
    constraints.push(`CONSTRAINT ${name}_check_${c} CHECK (${check})`);
  });
  const statements = [`CREATE TABLE ${name} (\n  ${[...columns, ...constraints].join(',\n  ')}\n);`];
  const lead = fkColumns[0] ?? 'status';
  statements.push(`CREATE INDEX ${name}_${lead}_created_idx ON ${name} (${lead}, created_at);`);
  statements.push(
    random() < 0.5
      ? `CREATE UNIQUE INDEX ${name}_code_key ON ${name} (code);`
      : `CREATE UNIQUE INDEX ${name}_email_lower_key ON ${name} (lower(email));`,
  );
  if (random() < 0.8) {
    const partial = pick([
      `(created_at) WHERE deleted_at IS NULL`,
      has('is_active') ? `(code) WHERE is_active` : `(code) WHERE deleted_at IS NULL`,
      `(amount DESC) WHERE status <> 'closed'`,
    ]);
    statements.push(`CREATE INDEX ${name}_partial_idx ON ${name} ${partial};`);
  }
  if (random() < 0.4) {
    statements.push(
      has('payload')
        ? `CREATE INDEX ${name}_payload_idx ON ${name} USING gin (payload jsonb_path_ops);`
        : `CREATE INDEX ${name}_fk_idx ON ${name} (${fkColumns.at(-1) ?? 'updated_at'});`,
    );
  }
  return statements;
}

/** Fisher–Yates, driven by the seeded generator (Array.sort with a random comparator is engine-dependent). */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Key types are fixed per table index, independent of the main sequence, so FKs can know them. */
function keyType(i: number): string {
  return prng(1_000_003 * (i + 1))() < 0.6 ? 'uuid' : 'bigint';
}

/** The schema as batches of statements, each batch meant for one transaction. */
export function generateSchema(options: SchemaOptions, batchTables = 100): string[][] {
  const random = prng(options.seed ?? 42);
  const batches: string[][] = [enumStatements()];
  for (let start = 0; start < options.tables; start += batchTables) {
    const batch: string[] = [];
    for (let i = start; i < Math.min(options.tables, start + batchTables); i++) {
      batch.push(...tableStatements(i, random));
    }
    batches.push(batch);
  }
  return batches;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
  };
  for (const batch of generateSchema({ tables: flag('--tables', 1000), seed: flag('--seed', 42) })) {
    process.stdout.write(`BEGIN;\n${batch.join('\n')}\nCOMMIT;\n`);
  }
}
