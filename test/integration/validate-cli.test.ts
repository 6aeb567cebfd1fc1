import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/validate.js';
import type { CommandContext } from '../../src/cli/run.js';

const root = join(import.meta.dirname, '..', '..');

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function validate(
  options: Record<string, unknown>,
): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const ctx: CommandContext = { options, stdout: out.stream, stderr: err.stream };
  const code = await run(ctx);
  return { code, out: out.text(), err: err.text() };
}

describe('tidemark validate (command module)', () => {
  it('exits 0 on schema/ with a one-line summary', async () => {
    const r = await validate({ schemaDir: 'schema', format: 'text' });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      'schema/ is valid: 17 tables, 143 columns, 32 foreign keys, 26 indexes, 20 checks, 6 enums, 1 sequence, 2 extensions in 11 files\n',
    );
  });

  const fixtures = readdirSync(join(root, 'fixtures', 'invalid')).sort();
  it.each(fixtures)('exits 1 on fixtures/invalid/%s and prints its expected diagnostics', async (name) => {
    const dir = join('fixtures', 'invalid', name);
    const r = await validate({ schemaDir: dir, format: 'text' });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const expected = readFileSync(join(root, dir, 'expected.txt'), 'utf8');
    const errors = expected.split('\n').filter((l) => / error: /.test(l)).length;
    expect(r.err).toBe(`${expected}${dir}/ has ${errors} error${errors === 1 ? '' : 's'}\n`);
  });

  it('prints machine-readable diagnostics with --format json', async () => {
    const bad = await validate({ schemaDir: 'fixtures/invalid/notnull-lowercase', format: 'json' });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toEqual({
      valid: false,
      diagnostics: [
        {
          file: 'fixtures/invalid/notnull-lowercase/children.yaml',
          line: 6,
          col: 33,
          path: 'tables.children.columns.first_name.notnull',
          code: 'unknown-key',
          severity: 'error',
          message: 'unknown key "notnull" in column children.first_name',
          hint: 'did you mean "notNull"?',
        },
      ],
    });
    const good = await validate({ schemaDir: 'schema', format: 'json' });
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toEqual({ valid: true, diagnostics: [] });
  });

  it('honours the managed schemas of the configuration file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-validate-'));
    try {
      const config = join(dir, 'tidemark.yaml');
      writeFileSync(config, 'schemas: [public]\n');
      const r = await validate({ schemaDir: 'schema', config, format: 'text' });
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        'schema/audit/security.yaml:9:3: error: audit.security_logs is in schema audit, which the configuration does not manage',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing schema directory as an error naming it', async () => {
    await expect(validate({ schemaDir: 'no/such/dir' })).rejects.toThrow(
      'schema directory no/such/dir does not exist',
    );
  });
});

describe('tidemark validate (built binary)', () => {
  // test/setup/global.ts builds dist/ once for the run; rebuilding here would race other CLI tests.
  beforeAll(() => {
    expect(existsSync(join(root, 'dist', 'cli', 'main.js')), 'dist/ is built by the global setup').toBe(true);
  });

  it('exits 0 on schema/ and 1 on an invalid fixture', () => {
    const ok = spawnSync(process.execPath, ['dist/cli/main.js', 'validate'], { cwd: root, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^schema\/ is valid: 17 tables, /);
    const bad = spawnSync(
      process.execPath,
      [
        'dist/cli/main.js',
        'validate',
        '--schema-dir',
        'fixtures/invalid/fk-unknown-action',
        '--format',
        'json',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(bad.status, bad.stderr).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      valid: boolean;
      diagnostics: { code: string; line: number }[];
    };
    expect(report.valid).toBe(false);
    expect(report.diagnostics.map((d) => [d.code, d.line])).toEqual([['invalid-value', 14]]);
  });
});
