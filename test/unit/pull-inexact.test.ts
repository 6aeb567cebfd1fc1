import { describe, expect, it } from 'vitest';
import { inexactFacts } from '../../src/pull/inexact.js';
import { column, index, key, result, table } from './pull-model-fixtures.js';

describe('inexactFacts', () => {
  it('is empty for a model the YAML holds exactly', () => {
    expect(inexactFacts(result({ tables: [table('public', 't', [column('a', 'int')])] }))).toEqual([]);
  });

  it('names every fact the format cannot say', () => {
    const t = table('public', 't', [column('a', 'int')], {
      checks: [{ name: 'c', expression: 'a > 0', noInherit: false, valid: false, comment: null }],
      foreignKeys: [
        {
          name: 'f',
          columns: ['a'],
          references: { schema: 'public', table: 't', columns: ['a'] },
          onDelete: 'no action',
          onUpdate: 'no action',
          match: 'simple',
          deferrable: false,
          valid: false,
          comment: null,
        },
      ],
      indexes: [index('i', [key('a')], { valid: false }), index('b', [key('a')], { method: 'bloom' })],
    });
    const facts = inexactFacts(
      result(
        {
          schemas: [
            { name: 'public', comment: 'standard public schema' },
            { name: 'x.y', comment: 'notes' },
          ],
          tables: [t, table('x.y', 'a.b', []), table('public', 'd', [column('e', 'email_address[]')])],
          sequences: [
            {
              schema: 'public',
              name: 's',
              type: 'integer',
              start: '1',
              increment: '1',
              min: '1',
              max: '2147483647',
              cache: '1',
              cycle: false,
              ownedBy: { table: 'odd.name', column: 'id' },
              comment: null,
            },
          ],
        },
        [{ kind: 'domain', schema: 'public', name: 'email_address', table: null }],
      ),
    );
    expect(facts).toEqual([
      'schema "x.y" has a comment, which the YAML cannot hold',
      'table "x.y"."a.b": a dot in both the schema and the name cannot be written as a YAML key',
      'sequence public.s: ownedBy cannot name a table or column with a dot; it is left out',
      'check c on public.t is NOT VALID; the YAML describes it validated',
      'foreign key f on public.t is NOT VALID; the YAML describes it validated',
      'index i on public.t is INVALID (a failed concurrent build); rebuild it',
      'index b on public.t uses method bloom, which the format does not accept yet',
      'column e of public.d has the unmanaged domain public.email_address; tidemark cannot create it in the shadow database',
    ]);
  });
});
