import type {
  CheckConstraint,
  Column,
  EnumType,
  Extension,
  ForeignKey,
  Index,
  PrimaryKey,
  QualifiedName,
  RequiredObject,
  Sequence,
  Table,
  UniqueConstraint,
} from '../model/types.js';

/**
 * What differs between two models, with no SQL in it: one variant per verb and object kind. The planner
 * turns each change into steps; every switch over `kind` is exhaustive, so a new variant fails the build
 * until each consumer handles it.
 */

export type ColumnField = 'type' | 'collation' | 'notNull' | 'default' | 'identity' | 'generated' | 'comment';

export type Change =
  | { readonly kind: 'schema.create'; readonly name: string }
  /** A `requires:` object the target lacks (plan/required.ts); not in either model. */
  | { readonly kind: 'required.create'; readonly required: RequiredObject }
  | { readonly kind: 'extension.create'; readonly extension: Extension }
  | { readonly kind: 'extension.drop'; readonly extension: Extension }
  | { readonly kind: 'extension.update'; readonly extension: Extension; readonly from: string | null }
  | { readonly kind: 'enum.create'; readonly enum: EnumType }
  | { readonly kind: 'enum.drop'; readonly enum: EnumType }
  | { readonly kind: 'enum.rename'; readonly from: QualifiedName; readonly enum: EnumType }
  | {
      readonly kind: 'enum.add-value';
      readonly enum: EnumType;
      readonly value: string;
      /** The existing value it goes before, or null to append. */
      readonly before: string | null;
    }
  | {
      readonly kind: 'enum.rename-value';
      readonly enum: EnumType;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly kind: 'enum.recreate';
      readonly from: EnumType;
      readonly enum: EnumType;
      /** Columns of kept tables whose type is this enum (or an array of it), with their desired default. */
      readonly columns: readonly {
        readonly table: QualifiedName;
        readonly column: Column;
        readonly default: string | null;
      }[];
      readonly removedValues: readonly string[];
    }
  | { readonly kind: 'enum.comment'; readonly enum: EnumType }
  | { readonly kind: 'sequence.create'; readonly sequence: Sequence }
  | { readonly kind: 'sequence.drop'; readonly sequence: Sequence }
  | { readonly kind: 'sequence.alter'; readonly from: Sequence; readonly sequence: Sequence }
  | {
      readonly kind: 'sequence.owned-by';
      readonly sequence: Sequence;
      /** The owning column live has now, if any. */
      readonly previous: Sequence['ownedBy'];
    }
  | { readonly kind: 'table.create'; readonly table: Table }
  | { readonly kind: 'table.drop'; readonly table: Table }
  | { readonly kind: 'table.rename'; readonly from: QualifiedName; readonly table: QualifiedName }
  | { readonly kind: 'table.comment'; readonly table: Table }
  | {
      readonly kind: 'column.add';
      readonly table: Table;
      readonly column: Column;
      readonly backfill: string | null;
    }
  | { readonly kind: 'column.drop'; readonly table: Table; readonly column: Column }
  | {
      readonly kind: 'column.rename';
      readonly table: QualifiedName;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly kind: 'column.alter';
      readonly table: Table;
      readonly from: Column;
      readonly column: Column;
      readonly fields: readonly ColumnField[];
      readonly backfill: string | null;
    }
  | { readonly kind: 'pk.add'; readonly table: Table; readonly primaryKey: PrimaryKey }
  | { readonly kind: 'pk.drop'; readonly table: Table; readonly primaryKey: PrimaryKey }
  | { readonly kind: 'unique.add'; readonly table: Table; readonly unique: UniqueConstraint }
  | { readonly kind: 'unique.drop'; readonly table: Table; readonly unique: UniqueConstraint }
  | { readonly kind: 'check.add'; readonly table: Table; readonly check: CheckConstraint }
  | { readonly kind: 'check.drop'; readonly table: Table; readonly check: CheckConstraint }
  | { readonly kind: 'check.validate'; readonly table: Table; readonly check: CheckConstraint }
  | { readonly kind: 'fk.add'; readonly table: Table; readonly foreignKey: ForeignKey }
  | { readonly kind: 'fk.drop'; readonly table: Table; readonly foreignKey: ForeignKey }
  | { readonly kind: 'fk.validate'; readonly table: Table; readonly foreignKey: ForeignKey }
  | {
      readonly kind: 'constraint.rename';
      readonly table: QualifiedName;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly kind: 'constraint.comment';
      readonly table: QualifiedName;
      readonly name: string;
      readonly comment: string | null;
    }
  | {
      readonly kind: 'index.create';
      readonly table: Table;
      readonly index: Index;
      /**
       * The live index this one replaces (its definition changed, and maybe its name): the planner builds
       * the new one before dropping the old, so the table never goes without.
       */
      readonly replaces?: Index;
    }
  | { readonly kind: 'index.drop'; readonly table: Table; readonly index: Index }
  | {
      readonly kind: 'index.rename';
      readonly table: QualifiedName;
      readonly from: string;
      readonly to: string;
    }
  | { readonly kind: 'index.comment'; readonly table: QualifiedName; readonly index: Index };

export type ChangeKind = Change['kind'];
