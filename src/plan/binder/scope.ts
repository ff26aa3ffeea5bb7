/**
 * Name resolution: which field of the current node a column reference written by the user means.
 */
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { LogicalNode } from '../logical/nodes.js';
import { nameMatches } from './names.js';

/** A column visible to the user's SQL. `inStar` is false for the right side of a USING column. */
export interface ScopeColumn {
  readonly field: Field;
  readonly inStar: boolean;
}

/** A column as the user wrote it: optional qualifier and a (possibly quoted) name. */
export interface ColumnName {
  readonly qualifier: string | null;
  readonly name: string;
  readonly quoted: boolean;
}

export class Scope {
  /**
   * @param columns in the order `*` expands them (may differ from the node's field order)
   * @param merged unqualified names that mean one specific field (USING columns), by lower-cased name
   */
  constructor(
    readonly columns: readonly ScopeColumn[],
    readonly merged: ReadonlyMap<string, Field> = new Map(),
  ) {}

  static of(node: LogicalNode): Scope {
    return new Scope(node.fields.map((field) => ({ field, inStar: true })));
  }

  /** The field a reference means; UNDEFINED_COLUMN, UNDEFINED_TABLE or AMBIGUOUS_COLUMN otherwise. */
  resolve(ref: ColumnName, position: SqlPosition): Field {
    const display = ref.qualifier === null ? ref.name : `${ref.qualifier}.${ref.name}`;
    if (ref.qualifier === null) {
      const merged = this.merged.get(ref.name.toLowerCase());
      if (merged && nameMatches(merged.userName, ref.name, ref.quoted)) return merged;
    } else if (!this.columns.some((c) => this.qualifies(c.field, ref.qualifier!))) {
      throw new EddyError('UNDEFINED_TABLE', `missing FROM-clause entry for table "${ref.qualifier}"`, {
        position,
        hint: this.relationsHint(),
      });
    }
    const found = this.columns
      .map((c) => c.field)
      .filter((f) => nameMatches(f.userName, ref.name, ref.quoted))
      .filter((f) => ref.qualifier === null || this.qualifies(f, ref.qualifier));
    const unique = [...new Map(found.map((f) => [f.name, f])).values()];
    if (unique.length === 1) return unique[0]!;
    if (unique.length === 0) {
      throw new EddyError('UNDEFINED_COLUMN', `column "${display}" does not exist (searched ${this.relationsText()})`, {
        position,
        hint: this.candidatesHint(ref.name),
      });
    }
    const options = unique.map((f) => (f.qualifier ? `${f.qualifier}.${f.userName}` : f.userName)).join(', ');
    throw new EddyError('AMBIGUOUS_COLUMN', `column reference "${display}" is ambiguous (it could be ${options})`, {
      position,
      hint: 'qualify the column with its table name or alias',
    });
  }

  /** The fields `*` (qualifier null) or `t.*` expands to. */
  star(qualifier: string | null, position: SqlPosition): Field[] {
    if (qualifier === null) return this.columns.filter((c) => c.inStar).map((c) => c.field);
    const fields = this.columns.map((c) => c.field).filter((f) => this.qualifies(f, qualifier));
    if (fields.length === 0) {
      throw new EddyError('UNDEFINED_TABLE', `missing FROM-clause entry for table "${qualifier}"`, {
        position,
        hint: this.relationsHint(),
      });
    }
    return [...new Map(fields.map((f) => [f.name, f])).values()];
  }

  private qualifies(f: Field, qualifier: string): boolean {
    return f.qualifier !== null && f.qualifier.toLowerCase() === qualifier.toLowerCase();
  }

  private relations(): string[] {
    return [...new Set(this.columns.map((c) => c.field.qualifier ?? '(unnamed subquery)'))];
  }

  private relationsText(): string {
    const r = this.relations();
    return r.length === 0 ? 'no relations' : `${r.length === 1 ? 'relation' : 'relations'} ${r.join(', ')}`;
  }

  private relationsHint(): string {
    return `tables in FROM: ${this.relations().join(', ') || '(none)'}`;
  }

  private candidatesHint(name: string): string {
    const all = [...new Set(this.columns.map((c) => c.field.userName))];
    const close = all.filter((n) => n.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(n.toLowerCase()));
    const shown = (close.length > 0 ? close : all).slice(0, 12);
    return `available columns: ${shown.join(', ')}`;
  }
}
