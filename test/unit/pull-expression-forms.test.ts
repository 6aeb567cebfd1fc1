import { describe, expect, it } from 'vitest';
import { restoreInLists } from '../../src/pull/expression-forms.js';
import { column } from './pull-model-fixtures.js';

const columns = [
  column('kind', 'character varying'),
  column('Mode', 'character varying(10)'),
  column('code', 'text'),
  column('status', 'my_enum'),
];

describe('restoreInLists', () => {
  it('writes varchar IN and NOT IN lists back in the form that reproduces the stored tree', () => {
    expect(
      restoreInLists(
        "kind::text = ANY (ARRAY['a'::character varying, 'it''s'::character varying]::text[])",
        columns,
      ),
    ).toBe("kind IN ('a', 'it''s')");
    expect(restoreInLists(`"Mode"::text <> ALL (ARRAY['x'::character varying]::text[])`, columns)).toBe(
      `"Mode" NOT IN ('x')`,
    );
    expect(
      restoreInLists(
        "(kind::text = ANY (ARRAY['b'::character varying]::text[])) AND (\"Mode\"::text = ANY (ARRAY['m'::character varying]::text[]))",
        columns,
      ),
    ).toBe(`(kind IN ('b')) AND ("Mode" IN ('m'))`);
  });

  it('leaves everything else alone: other column types, explicit casts of other kinds, other operators', () => {
    const untouched = [
      "code = ANY (ARRAY['t1'::text, 't2'::text])",
      "(status)::text = ANY (ARRAY['a'::character varying]::text[])",
      "status::text = ANY (ARRAY['a'::character varying]::text[])",
      "x.kind::text = ANY (ARRAY['a'::character varying]::text[])",
      "kind::text = ANY (ARRAY['a'::character varying, lower('B')::character varying]::text[])",
      "kind::text ~~ ANY (ARRAY['a'::character varying]::text[])",
      'kind IS NOT NULL',
    ];
    for (const e of untouched) expect(restoreInLists(e, columns)).toBe(e);
  });
});
