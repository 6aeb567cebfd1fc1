import type { DiagnosticSink } from './diagnostic.js';
import { originOf } from './origin.js';
import { didYouMean } from './suggest.js';
import type { DesiredEnum, DesiredTable } from './types.js';

/**
 * A column type that is neither a built-in type nor a defined enum, but is one typo away from an enum defined
 * in the YAML, is reported here with the fix; otherwise it would only fail later, on the shadow database,
 * without a YAML position. Other unknown names may be extension types or domains and are left to PostgreSQL.
 */

const BUILTIN = new Set(
  `bigint int8 bigserial serial8 bit varbit boolean bool box bytea char character varchar cidr circle date
  float8 float4 inet integer int int4 interval json jsonb line lseg macaddr macaddr8 money numeric decimal path
  pg_lsn pg_snapshot point polygon real smallint int2 smallserial serial2 serial serial4 text time timetz
  timestamp timestamptz tsquery tsvector txid_snapshot uuid xml oid regclass regtype regproc name citext
  hstore ltree geometry geography int4range int8range numrange tsrange tstzrange daterange int4multirange
  int8multirange nummultirange tsmultirange tstzmultirange datemultirange record void`.split(/\s+/),
);

const SIMPLE = /^([a-z_][a-z0-9_$]*)(?:\s*\[\s*\d*\s*\])*$/;

export function checkColumnTypes(
  tables: readonly DesiredTable[],
  enums: readonly DesiredEnum[],
  namespaceOf: (t: DesiredTable) => string,
  sink: DiagnosticSink,
): void {
  for (const t of tables) {
    const ns = namespaceOf(t);
    const visible = enums.filter((e) => e.schema === ns || e.schema === 'public').map((e) => e.name);
    for (const c of t.columns) {
      const m = SIMPLE.exec(c.type.trim());
      if (!m || BUILTIN.has(m[1]!) || visible.includes(m[1]!)) continue;
      const hint = didYouMean(m[1]!, visible);
      if (hint === null) continue;
      const o = originOf(c);
      sink.add(
        o.doc,
        [...o.path, 'type'],
        'unknown-type',
        `column ${t.name}.${c.name} has type ${m[1]}, which is not defined`,
        {
          which: 'value',
          hint,
        },
      );
    }
  }
}

/** Objects in a schema the configuration does not manage would be created where tidemark never looks again. */
export function checkManagedSchemas(
  objects: readonly { readonly schema: string; readonly name: string }[],
  managed: readonly string[],
  sink: DiagnosticSink,
): void {
  const reported = new Set<string>();
  for (const x of objects) {
    if (managed.includes(x.schema) || reported.has(x.schema)) continue;
    reported.add(x.schema);
    const o = originOf(x);
    sink.add(
      o.doc,
      o.path,
      'unmanaged-schema',
      `${x.schema}.${x.name} is in schema ${x.schema}, which the configuration does not manage`,
      {
        hint: `add ${x.schema} to schemas in tidemark.yaml (now: ${managed.join(', ')}), or move the object`,
      },
    );
  }
}
