import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../config/config.js';
import { openTarget } from '../../db/connect.js';
import { introspect } from '../../introspect/index.js';
import { ignoreMatcher } from '../../introspect/scope.js';
import { displayName, displayPart, qualifiedKey } from '../../model/keys.js';
import type { IntrospectionResult, RequiredObject } from '../../model/types.js';
import { inexactFacts } from '../../pull/inexact.js';
import { modelToYaml } from '../../pull/model-to-yaml.js';
import { readRequired } from '../../pull/required.js';
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

/** Tables outside the pulled set that foreign keys point at: validate needs them named in `ignore`. */
function outsideTargets(result: IntrospectionResult, ignore: readonly string[]): string[] {
  const ignored = ignoreMatcher(ignore);
  const pulled = new Set(result.model.tables.map(qualifiedKey));
  const outside = new Set<string>();
  for (const t of result.model.tables) {
    for (const fk of t.foreignKeys) {
      const target = { schema: fk.references.schema, name: fk.references.table };
      if (!pulled.has(qualifiedKey(target)) && !ignored(target))
        outside.add(`${target.schema}.${target.name}`);
    }
  }
  return [...outside].sort();
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

/**
 * The editor comment's path to tidemark.schema.json, relative to the output directory: the project's
 * installed package when there is one, else the package this command runs from (a global install, or the
 * tidemark repository itself).
 */
function schemaPathFor(outDir: string, projectDir: string): string {
  const installed = join(projectDir, 'node_modules', 'tidemark', 'tidemark.schema.json');
  const own = fileURLToPath(new URL('../../../tidemark.schema.json', import.meta.url));
  const target = existsSync(installed) || !existsSync(own) ? installed : own;
  return relative(outDir, target).split(sep).join('/');
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const config = resolveConfig({ config: opt(o.config), db: opt(o.db), schemas: opt(o.schemas) });
  const schemas = config.schemas ?? ['public'];
  const target = await openTarget(config);
  let result: IntrospectionResult;
  let requires: RequiredObject[];
  try {
    result = await introspect(target.url, { schemas, ignore: config.ignore });
    requires = await readRequired(target.url, schemas);
  } finally {
    await target.close();
  }
  const out = opt(o.out) !== undefined ? resolve(opt(o.out)!) : config.schemaDir;
  const files = modelToYaml(result, { schemaPath: schemaPathFor(out, config.projectDir), requires });
  const report = writePulledFiles(out, files, { force: o.force === true });

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
  const absent = schemas.filter((s) => !result.model.schemas.some((d) => d.name === s));
  if (absent.length > 0) {
    ctx.stderr.write(
      `warning: the database has no schema ${absent.map(displayPart).join(', ')}; ` +
        'the desired state pulled holds nothing there, so plan and apply will drop what tidemark manages in it\n',
    );
  }
  for (const fact of inexactFacts(result, requires)) ctx.stderr.write(`warning: ${fact}\n`);
  const outside = outsideTargets(result, config.ignore);
  if (outside.length > 0) {
    ctx.stderr.write(
      `warning: foreign keys reference tables outside the pulled schemas: ${outside.join(', ')}; ` +
        `add them to ignore in tidemark.yaml (ignore: [${outside.map((n) => JSON.stringify(n)).join(', ')}]) ` +
        'so tidemark validates and plans without them\n',
    );
  }
  if (report.foreignYaml.length > 0) {
    ctx.stderr.write(
      `warning: ${shown(out)} also holds YAML that pull did not write and tidemark will read with it: ` +
        `${report.foreignYaml.join(', ')}; move them out if they are not desired state\n`,
    );
  }
  return 0;
}
