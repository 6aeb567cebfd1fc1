import type { Column, Index, IndexKey, IntrospectionResult, Model, Table } from '../../src/model/types.js';

/** Hand-built model pieces for the YAML writer's unit tests: every field explicit, defaults as the model has them. */

export function column(name: string, type: string, extra: Partial<Column> = {}): Column {
  return {
    name,
    type,
    notNull: false,
    default: null,
    identity: null,
    generated: null,
    collation: null,
    comment: null,
    ...extra,
  };
}

export function key(
  column: string | null,
  expression: string | null = null,
  extra: Partial<IndexKey> = {},
): IndexKey {
  return { column, expression, opclass: null, collation: null, order: 'asc', nulls: null, ...extra };
}

export function index(name: string, keys: IndexKey[], extra: Partial<Index> = {}): Index {
  return {
    name,
    unique: false,
    method: 'btree',
    keys,
    include: [],
    where: null,
    nullsNotDistinct: false,
    valid: true,
    comment: null,
    ...extra,
  };
}

export function table(schema: string, name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return {
    schema,
    name,
    columns,
    primaryKey: null,
    uniques: [],
    checks: [],
    foreignKeys: [],
    indexes: [],
    comment: null,
    ...extra,
  };
}

export function result(
  model: Partial<Model>,
  unmanaged: IntrospectionResult['unmanaged'] = [],
): IntrospectionResult {
  return {
    model: {
      schemas: [{ name: 'public', comment: 'standard public schema' }],
      extensions: [],
      enums: [],
      sequences: [],
      tables: [],
      ...model,
    },
    unmanaged,
    serverVersionNum: 150000,
    tableStats: [],
  };
}
