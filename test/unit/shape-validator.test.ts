import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  AJV_OPTIONS,
  SCHEMA_FILE,
  VALIDATOR_FILE,
  validatorSource,
} from '../../scripts/generate-validator.mjs';
import { validate as generated } from '../../src/load/shape-validator.generated.js';
import { parseYamlFile } from '../../src/load/source.js';

/**
 * The loader validates with the JSON Schema compiled ahead of time. It must be the schema as it is now, and
 * judge every document as ajv compiling the schema at run time does: same verdict, same errors.
 */

const root = join(import.meta.dirname, '..', '..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Copies of `data` each with one value (of the first few dozen) replaced by a list, or one key added. */
function variants(data: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (node: unknown, path: (string | number)[]) => {
    if (out.length >= 60 || node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(k) : k];
      out.push(replaced(data, at, () => [1]));
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        out.push(replaced(data, at, (x) => ({ ...(x as object), unexpectedKey: true })));
      visit(v, at);
    }
  };
  visit(data, []);
  return out;
}

function replaced(data: unknown, path: readonly (string | number)[], f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(data);
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(data) ? [...data] : { ...(data as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = replaced(copy[head], rest, f);
  return copy;
}

describe('compiled JSON Schema validator', () => {
  it('is up to date with tidemark.schema.json (npm run generate:validator)', () => {
    expect(readFileSync(VALIDATOR_FILE, 'utf8')).toBe(validatorSource());
  });

  it('gives the errors ajv gives compiling the schema at run time, on every fixture document', () => {
    const runtime = new Ajv(AJV_OPTIONS).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    const validate = generated as unknown as typeof runtime;
    const files = ['schema', 'fixtures'].flatMap((d) => yamlFiles(join(root, d)));
    let documents = 0;
    let invalid = 0;
    for (const file of files) {
      for (const doc of parseYamlFile(file, readFileSync(file, 'utf8')).documents) {
        documents++;
        // The document, and variants with one value of the wrong type or one key too many.
        for (const data of [doc.data ?? {}, ...variants(doc.data)]) {
          documents++;
          const verdict = runtime(data);
          expect(validate(data), file).toBe(verdict);
          expect(validate.errors ?? null, file).toEqual(runtime.errors ?? null);
          if (!verdict) invalid++;
        }
      }
    }
    expect(documents).toBeGreaterThan(2000);
    expect(invalid).toBeGreaterThan(1000);
  });
});
