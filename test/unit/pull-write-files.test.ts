import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { isPulledFile, writePulledFiles } from '../../src/pull/write-files.js';

const HEADER = '# yaml-language-server: $schema=../node_modules/tidemark/tidemark.schema.json\n';
const pulled = (body: string) => `${HEADER}${body}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidemark-write-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writePulledFiles', () => {
  it('creates the directory and the schema subdirectories', () => {
    const out = join(dir, 'new/schema');
    const report = writePulledFiles(
      out,
      new Map([
        ['audit/events.yaml', pulled('a\n')],
        ['t.yaml', pulled('b\n')],
      ]),
      {
        force: false,
      },
    );
    expect(report).toEqual({ written: ['audit/events.yaml', 't.yaml'], removed: [], foreignYaml: [] });
    expect(readFileSync(join(out, 'audit/events.yaml'), 'utf8')).toBe(pulled('a\n'));
  });

  it('creates the directory when there is nothing to write', () => {
    const out = join(dir, 'empty/schema');
    expect(writePulledFiles(out, new Map(), { force: false })).toEqual({
      written: [],
      removed: [],
      foreignYaml: [],
    });
    expect(existsSync(out)).toBe(true);
  });

  it('treats a directory holding only dot files as empty', () => {
    writeFileSync(join(dir, '.gitkeep'), '');
    expect(writePulledFiles(dir, new Map([['t.yaml', pulled('x\n')]]), { force: false }).written).toEqual([
      't.yaml',
    ]);
  });

  it('refuses a directory with files in it unless forced, and changes nothing', () => {
    writeFileSync(join(dir, 'notes.md'), 'keep\n');
    const attempt = () => writePulledFiles(dir, new Map([['t.yaml', pulled('x\n')]]), { force: false });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/not empty.*--force/);
    expect(existsSync(join(dir, 't.yaml'))).toBe(false);
  });

  it('with force replaces what an earlier pull wrote and nothing else', () => {
    writeFileSync(join(dir, 't.yaml'), pulled('old\n'));
    mkdirSync(join(dir, 'gone'));
    writeFileSync(join(dir, 'gone/x.yml'), pulled('stale\n'));
    writeFileSync(join(dir, 'mine.yaml'), 'schema: public\n');
    writeFileSync(join(dir, 'README.md'), 'keep\n');
    mkdirSync(join(dir, '.backup'));
    writeFileSync(join(dir, '.backup/old.yaml'), pulled('hidden\n'));

    const report = writePulledFiles(dir, new Map([['t.yaml', pulled('new\n')]]), { force: true });
    expect(report).toEqual({ written: ['t.yaml'], removed: ['gone/x.yml'], foreignYaml: ['mine.yaml'] });
    expect(readFileSync(join(dir, 't.yaml'), 'utf8')).toBe(pulled('new\n'));
    expect(existsSync(join(dir, 'gone'))).toBe(false);
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe('schema: public\n');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('keep\n');
    expect(readFileSync(join(dir, '.backup/old.yaml'), 'utf8')).toBe(pulled('hidden\n'));
  });

  it('refuses a path that is a file', () => {
    writeFileSync(join(dir, 'f'), '');
    expect(() => writePulledFiles(join(dir, 'f'), new Map(), { force: true })).toThrow(/is a file/);
  });
});

describe('isPulledFile', () => {
  it('recognises the editor comment pull writes on the first line only', () => {
    expect(isPulledFile(pulled('schema: public\n'))).toBe(true);
    expect(isPulledFile('# yaml-language-server: $schema=https://example.com/tidemark.schema.json')).toBe(
      true,
    );
    expect(isPulledFile(`schema: public\n${HEADER}`)).toBe(false);
    expect(isPulledFile('# yaml-language-server: $schema=other.json\n')).toBe(false);
  });
});
