import type { Change } from '../../diff/change.js';
import { assertNever } from '../../errors.js';
import { columnAdd, columnAlter, columnDrop, columnRename } from './columns.js';
import {
  checkSteps,
  constraintCommentChange,
  constraintRename,
  foreignKeySteps,
  primaryKeySteps,
  uniqueSteps,
} from './constraints.js';
import type { PlanContext, StepDraft } from './draft.js';
import { indexSteps } from './indexes.js';
import { tableComment, tableCreate, tableDrop, tableRename } from './tables.js';
import {
  enumRecreate,
  enumSteps,
  extensionSteps,
  requiredCreate,
  schemaCreate,
  sequenceSteps,
} from './types.js';

export type { PlanContext, StepDraft } from './draft.js';

/** The steps that carry out one change, in the order they must run. */
export function stepsFor(change: Change, ctx: PlanContext): StepDraft[] {
  switch (change.kind) {
    case 'schema.create':
      return schemaCreate(change);
    case 'required.create':
      return requiredCreate(change);
    case 'extension.create':
    case 'extension.drop':
    case 'extension.update':
      return extensionSteps(change);
    case 'enum.create':
    case 'enum.drop':
    case 'enum.rename':
    case 'enum.add-value':
    case 'enum.rename-value':
    case 'enum.comment':
      return enumSteps(change);
    case 'enum.recreate':
      return enumRecreate(change, ctx);
    case 'sequence.create':
    case 'sequence.drop':
    case 'sequence.alter':
    case 'sequence.owned-by':
      return sequenceSteps(change);
    case 'table.create':
      return tableCreate(change);
    case 'table.drop':
      return tableDrop(change, ctx);
    case 'table.rename':
      return tableRename(change);
    case 'table.comment':
      return tableComment(change);
    case 'column.add':
      return columnAdd(change, ctx);
    case 'column.drop':
      return columnDrop(change, ctx);
    case 'column.rename':
      return columnRename(change);
    case 'column.alter':
      return columnAlter(change, ctx);
    case 'pk.add':
    case 'pk.drop':
      return primaryKeySteps(change, ctx);
    case 'unique.add':
    case 'unique.drop':
      return uniqueSteps(change, ctx);
    case 'check.add':
    case 'check.drop':
    case 'check.validate':
      return checkSteps(change, ctx);
    case 'fk.add':
    case 'fk.drop':
    case 'fk.validate':
      return foreignKeySteps(change, ctx);
    case 'constraint.rename':
      return constraintRename(change);
    case 'constraint.comment':
      return constraintCommentChange(change);
    case 'index.create':
    case 'index.drop':
    case 'index.rename':
    case 'index.comment':
      return indexSteps(change, ctx);
    default:
      return assertNever(change, 'change kind');
  }
}
