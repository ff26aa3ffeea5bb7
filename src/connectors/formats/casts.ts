/**
 * How an input value becomes a column's value (option `casts`).
 *
 * 'strict' (the default): the value must fit whole and unchanged, or its row is bad. DuckDB's
 * TRY_CAST is lenient inside values: a list element or struct field that does not cast becomes NULL
 * (`[1,"x",3]` -> `[1,NULL,3]`), a struct drops or nulls keys it does not know, a fraction is rounded
 * into an integer (`1.5` -> 2), a float that overflows becomes infinity. Strict casts of DuckDB
 * values (and their text) use CAST inside `try()` (NULL when any part fails, so that the row is
 * located as bad rather than the statement failing) and check what CAST still rounds or overflows
 * (exact-numbers.ts); JSON is cast with TRY_CAST and checked against the JSON it came from, so that
 * a key the JSON leaves out is a NULL field (json-fit.ts).
 *
 * 'lenient': DuckDB's TRY_CAST as it is. A value that does not cast at all is bad either way, and
 * NULL is never accepted into a NOT NULL column (that is a constraint, not a cast).
 */
import type { Column } from '../../catalog/types.js';
import { numericKind, parseType, typeText, type TypeNode } from '../../duck/type-tree.js';
import { hasNumericLeaf, inRangeSql, integralSql, leavesExactSql, textLeaves } from './exact-numbers.js';
import { jsonFitsSql } from './json-fit.js';
import { isTextType } from './format.js';
import type { StagedColumn } from './staged-rows.js';

export const CASTS_VALUES = ['strict', 'lenient'] as const;
export type Casts = (typeof CASTS_VALUES)[number];

/** The strict checks of a cast from DuckDB's text of a nested value (its lists, structs and maps). */
function textChecks(node: TypeNode, type: string): Pick<StagedColumn, 'exact' | 'inexact' | 'explain'> {
  const explain = (lit: string) => `CAST(${lit} AS ${type})`;
  if (!hasNumericLeaf(node)) return { explain };
  const text = typeText(textLeaves(node));
  return {
    // the whole value is the one element of a list, so its text is cast once however many numbers it holds
    exact: (r, v) => leavesExactSql(`[try(CAST(${r} AS ${text}))]`, `[${v}]`, { kind: 'list', element: node, size: null }, 0),
    inexact: 'a number in it would be rounded or overflow',
    explain,
  };
}

/** The strict checks of a cast from JSON (its text `r`) to a nested type. */
function jsonChecks(node: TypeNode, type: string): Pick<StagedColumn, 'exact' | 'inexact' | 'explain'> {
  return {
    // bound once, as the one element of a list; try(): a JSON string's text need not be JSON
    exact: (r, v) => `coalesce(list_bool_and(list_transform(list_zip([try(${r}::JSON)], [${v}]), __top -> ${jsonFitsSql('__top[1]', '__top[2]', node)})), true)`,
    inexact: 'a number in it would be rounded or overflow',
    explain: (lit) => `CAST(${lit}::JSON AS ${type})`,
  };
}

/** The strict checks of a cast from a number's text (or a number of another type) to `node`. */
function scalarChecks(node: TypeNode): Pick<StagedColumn, 'exact' | 'inexact'> {
  const kind = numericKind(node);
  if (kind === 'integer') return { exact: integralSql, inexact: 'its fractional part would be lost' };
  if (kind === 'float') return { exact: inRangeSql, inexact: 'it is out of range' };
  return {};
}

/**
 * A JSON value as a column's value: `json` is an SQL expression of type JSON (or NULL), `text` its
 * text (json_extract_string: strings unquoted, anything else as JSON).
 */
export function castJson(column: Column, json: string, text: string, casts: Casts): StagedColumn {
  const type = column.type;
  if (isTextType(type)) return { column, raw: text, value: text };
  const node = parseType(type);
  // nested values (and types this file cannot read, UNIONs) are cast from the JSON value itself
  if (node === null || node.kind !== 'scalar' || node.text.startsWith('UNION')) {
    // try(): TRY_CAST still fails a statement on a map key that does not cast
    const value = `try(TRY_CAST(${json} AS ${type}))`;
    if (casts === 'lenient') return { column, raw: text, value };
    if (node === null || node.kind === 'scalar') return { column, raw: text, value: `try(CAST(${json} AS ${type}))`, explain: (lit: string) => `CAST(${lit}::JSON AS ${type})` };
    return { column, raw: text, value, ...jsonChecks(node, type) };
  }
  const value = `TRY_CAST(${text} AS ${type})`;
  return casts === 'lenient' ? { column, raw: text, value } : { column, raw: text, value, ...scalarChecks(node) };
}

/** The first struct field (a dotted path) that `from` has and `to` lacks at the same place, if any. */
function extraField(from: TypeNode, to: TypeNode): string | null {
  if (from.kind === 'list' && to.kind === 'list') return extraField(from.element, to.element);
  if (from.kind === 'map' && to.kind === 'map') return extraField(from.key, to.key) ?? extraField(from.value, to.value);
  if (from.kind !== 'struct' || to.kind !== 'struct') return null;
  for (const f of from.fields) {
    const match = to.fields.find((g) => g.name.toLowerCase() === f.name.toLowerCase());
    if (!match) return f.name;
    const inner = extraField(f.type, match.type);
    if (inner !== null) return `${f.name}.${inner}`;
  }
  return null;
}

/** Whether every struct in `from` has a field in common with the struct at the same place in `to`. */
function sharesFields(from: TypeNode, to: TypeNode): boolean {
  if (from.kind === 'list' && to.kind === 'list') return sharesFields(from.element, to.element);
  if (from.kind === 'map' && to.kind === 'map') return sharesFields(from.key, to.key) && sharesFields(from.value, to.value);
  if (from.kind !== 'struct' || to.kind !== 'struct') return true;
  const common = from.fields.filter((f) => to.fields.some((g) => g.name.toLowerCase() === f.name.toLowerCase()));
  return common.length > 0 && common.every((f) => sharesFields(f.type, to.fields.find((g) => g.name.toLowerCase() === f.name.toLowerCase())!.type));
}

/** Whether a value of type `from` may carry what a cast to an integer or float drops: a fraction, an overflow. */
function mayLoseNumber(from: TypeNode | null, to: TypeNode): boolean {
  if (from === null || from.kind !== 'scalar') return true;
  const fromKind = numericKind(from);
  if (numericKind(to) === 'integer') return fromKind !== 'integer' && !/^(BOOLEAN|BOOL)$/.test(from.text);
  // a float from a float or a decimal is in range or NULL; from text it may overflow to infinity
  return fromKind === null && !from.text.startsWith('DECIMAL') && !from.text.startsWith('NUMERIC');
}

/**
 * A value of DuckDB type `fromType` (`expr`, e.g. a column of an INSERT's query) as a column's value.
 * A value already of the column's type is taken as it is.
 */
export function castValue(column: Column, expr: string, fromType: string, casts: Casts): StagedColumn {
  const type = column.type;
  const from = parseType(fromType);
  const to = parseType(type);
  if (from !== null && to !== null && typeText(from) === typeText(to)) return { column, raw: expr, value: expr };
  if (from?.kind === 'scalar' && from.text === 'JSON' && !isTextType(type) && type.toUpperCase() !== 'JSON') {
    return castJson(column, expr, `json_extract_string(${expr}, '$')`, casts);
  }
  const lenient = { column, raw: expr, value: `TRY_CAST(${expr} AS ${type})` };
  if (to === null) return lenient;
  if (casts === 'lenient') {
    // DuckDB refuses to bind a cast between structs without a field in common; from JSON it takes
    // what it can, as it does for JSON input
    return from !== null && !sharesFields(from, to) ? { column, raw: expr, value: `TRY_CAST(to_json(${expr}) AS ${type})` } : lenient;
  }
  if (to.kind !== 'scalar') {
    // read through its text, whose strict cast refuses struct fields the type does not have
    // (a cast from one struct type to another drops them)
    const textOf = from !== null && from.kind === 'scalar' && isTextType(from.text) ? expr : `TRY_CAST(${expr} AS VARCHAR)`;
    const extra = from === null ? null : extraField(from, to);
    const reason = extra === null ? {} : { reason: `its field "${extra}" is not in ${type}` };
    return { column, raw: expr, value: `try(CAST(${textOf} AS ${type}))`, ...textChecks(to, type), ...reason };
  }
  return mayLoseNumber(from, to) ? { ...lenient, ...scalarChecks(to) } : lenient;
}
