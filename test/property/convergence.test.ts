import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderPlanJson } from '../../src/report/plan-json.js';
import { renderPlanSql } from '../../src/report/plan-sql.js';
import { converge, executePlanSql, planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { editSchema } from './schema-edit.js';
import { Choices, generateSchema, Names } from './schema-gen.js';
import { type GSchema, toDocument } from './schema-model.js';

/**
 * Law 2 (convergence) and law 4 (determinism) on random schemas and random edits between them. Each run
 * plans a batch of independent pairs at once, one PostgreSQL schema per pair, so one plan and one shadow
 * compilation serve the whole batch: `from` is built by planning it from empty and running the plan's SQL,
 * then the plan to `to` is run the way psql would run it, and a second plan must be empty with the live
 * fingerprint the plan promised. FC_SEED picks the seed (printed), FC_RUNS the number of batches.
 */

const SEED = Number(process.env.FC_SEED ?? 20261126);
const RUNS = Number(process.env.FC_RUNS ?? 15);
const BATCH = Number(process.env.FC_BATCH ?? 20);
const NAMESPACES = Array.from({ length: BATCH }, (_, k) => `p${k}`);
/** Where the last failing batch is written, as golden-case material (from.sql and to/). */
const FAILURE_DIR = process.env.FC_FAILURE_DIR ?? join(tmpdir(), 'tidemark-property-failure');

interface Pair {
  readonly from: GSchema;
  readonly to: GSchema;
}

function pairOf(ints: readonly number[]): Pair {
  const ch = new Choices(ints);
  const names = new Names();
  const from = generateSchema(ch, names);
  const to = editSchema(ch, names, from);
  return { from, to };
}

/**
 * One file no edit touches, so the second plan of a batch finds part of the directory in the load cache and
 * compiles the edited files' tables ahead (shadow/speculate.ts) as it does for a developer editing a checkout.
 */
const ANCHOR = {
  schema: 'p0',
  tables: { tidemark_anchor: { columns: { id: { type: 'integer', primaryKey: true } } } },
};

function writeDir(dir: string, docs: readonly Record<string, unknown>[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  docs.forEach((doc, k) => {
    writeFileSync(join(dir, `p${k}.yaml`), `${JSON.stringify(doc, null, 2)}\n`);
  });
  writeFileSync(join(dir, 'anchor.yaml'), `${JSON.stringify(ANCHOR, null, 2)}\n`);
}

function stepsOf(plan: { groups: readonly { steps: readonly { sql: string }[] }[] }): string[] {
  return plan.groups.flatMap((g) => g.steps.map((s) => s.sql));
}

let db: TestDatabase;
let work: string;
let batchNumber = 0;
const schemas = NAMESPACES.join(',');

beforeAll(async () => {
  db = await createTestDatabase('prop');
  work = mkdtempSync(join(tmpdir(), 'tidemark-prop-'));
});
afterAll(async () => {
  await db.drop();
  rmSync(work, { recursive: true, force: true });
});

async function checkBatch(pairs: readonly Pair[]): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${NAMESPACES.join(', ')} CASCADE`);
  const dir = join(work, 'schema');
  const fromDocs = pairs.map((p, k) => toDocument(`p${k}`, p.from, null));
  const toDocs = pairs.map((p, k) => toDocument(`p${k}`, p.to, p.from));
  writeDir(dir, fromDocs);
  let fromSql = '';
  try {
    const build = await planAgainst(db.url, dir, { schemas });
    fromSql = renderPlanSql(build.plan);
    await executePlanSql(db.url, build.plan);
    // The desired files replace the current ones in the same directory, as an edit in a checkout does: the
    // load cache holds the current files, so the changed ones are compiled ahead (shadow/speculate.ts).
    writeDir(dir, toDocs);
    const toDir = dir;
    // Law 4 costs one more plan: checked on every fifth batch.
    const again = batchNumber++ % 5 === 0 ? await planAgainst(db.url, toDir, { schemas }) : null;
    const result = await converge(db.url, toDir, schemas);
    if (process.env.FC_TIMINGS) console.log(build.timings, result.first.timings, result.second.timings);
    if (again)
      expect(renderPlanJson(again.plan), 'same inputs, same plan').toBe(renderPlanJson(result.first.plan));
    expect(stepsOf(result.second.plan).join(';\n'), 'second plan after applying').toBe('');
    expect(result.liveFingerprint, 'live fingerprint as promised').toBe(result.first.plan.to.fingerprint);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new BatchFailure(message, fromSql, fromDocs, toDocs);
  }
}

class BatchFailure extends Error {
  constructor(
    message: string,
    readonly fromSql: string,
    readonly fromDocs: readonly Record<string, unknown>[],
    readonly toDocs: readonly Record<string, unknown>[],
  ) {
    super(message);
  }
}

/** Bisect a failing batch down to a smallest failing part (one pair, unless pairs only fail together). */
async function isolate(pairs: readonly Pair[], failure: BatchFailure): Promise<BatchFailure> {
  if (pairs.length <= 1) return failure;
  const half = Math.ceil(pairs.length / 2);
  for (const part of [pairs.slice(0, half), pairs.slice(half)]) {
    const f = await checkBatch(part).then(
      () => null,
      (e: unknown) => (e instanceof BatchFailure ? e : null),
    );
    if (f) return isolate(part, f);
  }
  return failure;
}

async function checkIsolated(pairs: readonly Pair[]): Promise<void> {
  try {
    await checkBatch(pairs);
  } catch (error) {
    if (!(error instanceof BatchFailure)) throw error;
    const f = await isolate(pairs, error);
    rmSync(FAILURE_DIR, { recursive: true, force: true });
    mkdirSync(FAILURE_DIR, { recursive: true });
    writeFileSync(join(FAILURE_DIR, 'from.sql'), f.fromSql);
    writeDir(join(FAILURE_DIR, 'to'), f.toDocs);
    const shown = f.toDocs
      .map((to, k) => `-- pair p${k}\nfrom: ${JSON.stringify(f.fromDocs[k])}\nto:   ${JSON.stringify(to)}`)
      .join('\n');
    throw new Error(`${f.message}\n(written to ${FAILURE_DIR} as from.sql and to/)\n${shown}`);
  }
}

it(`converges on ${RUNS * BATCH} random schema/edit pairs (seed ${SEED})`, { timeout: 600_000 }, async () => {
  console.log(`property test: FC_SEED=${SEED} FC_RUNS=${RUNS}, ${BATCH} pairs per batch`);
  const pair = fc.array(fc.nat({ max: 1000 }), { minLength: 120, maxLength: 160 });
  await fc.assert(
    fc.asyncProperty(fc.array(pair, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await checkIsolated(batch.map(pairOf));
    }),
    // A batch is bisected to its failing pair instead of shrunk (too slow at 20 pairs); with FC_BATCH=1
    // fast-check shrinks the single pair's choices.
    { seed: SEED, numRuns: RUNS, endOnFailure: BATCH > 1 },
  );
});
