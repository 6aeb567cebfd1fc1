import { relative, resolve } from 'node:path';
import { resolveConfig } from '../../config/config.js';
import { openTarget } from '../../db/connect.js';
import { introspect } from '../../introspect/index.js';
import { displayName } from '../../model/keys.js';
import type { IntrospectionResult } from '../../model/types.js';
import { modelToYaml } from '../../pull/model-to-yaml.js';
import { writePulledFiles } from '../../pull/write-files.js';
import type { CommandContext } from '../run.js';

/** `tidemark pull`: the live database written as desired-state YAML, one file per table. */

const opt = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

function counts(result: IntrospectionResult): string {
  const m = result.model;
  return [
    plural(m.tables.length, 'table'),
    plural(m.enums.length, 'enum'),
    plural(m.sequences.length, 'sequence'),
    plural(m.extensions.length, 'extension'),
  ].join(', ');
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const config = resolveConfig({ config: opt(o.config), db: opt(o.db), schemas: opt(o.schemas) });
  const schemas = config.schemas ?? ['public'];
  const target = await openTarget(config);
  let result: IntrospectionResult;
  try {
    result = await introspect(target.url, { schemas, ignore: config.ignore });
  } finally {
    await target.close();
  }
  const out = opt(o.out) !== undefined ? resolve(opt(o.out)!) : config.schemaDir;
  const report = writePulledFiles(out, modelToYaml(result), { force: o.force === true });

  const w = (line: string) => ctx.stdout.write(`${line}\n`);
  w(`pulled ${target.label} (schemas: ${schemas.join(', ')}) into ${shown(out)}`);
  w(`  ${plural(report.written.length, 'file')} written: ${counts(result)}`);
  if (report.removed.length > 0) {
    w(
      `  ${plural(report.removed.length, 'stale file')} of an earlier pull removed: ${report.removed.join(', ')}`,
    );
  }
  if (result.unmanaged.length > 0) {
    w(
      `  ${plural(result.unmanaged.length, 'unmanaged object')} listed in types.yaml, left alone by tidemark:`,
    );
    for (const u of result.unmanaged) {
      const on = u.table === null ? '' : ` on ${displayName({ schema: u.schema, name: u.table })}`;
      w(`    ${u.kind} ${u.table === null ? displayName(u) : u.name}${on}`);
    }
  }
  if (report.foreignYaml.length > 0) {
    ctx.stderr.write(
      `warning: ${shown(out)} also holds YAML that pull did not write and tidemark will read with it: ` +
        `${report.foreignYaml.join(', ')}; move them out if they are not desired state\n`,
    );
  }
  return 0;
}
