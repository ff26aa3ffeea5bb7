/**
 * How an input value becomes a column's value (option `casts`).
 *
 * 'strict' (the default): the value must fit whole and unchanged, or its row is bad. DuckDB's
 * TRY_CAST is lenient inside values: a list element or struct field that does not cast becomes NULL
 * (`[1,"x",3]` -> `[1,NULL,3]`), a struct drops or nulls keys it does not know, a fraction is rounded
 * into an integer (`1.5` -> 2), a float that overflows becomes infinity. Strict casts use DuckDB's
 * CAST inside `try()` (NULL when any part fails, so the row is located as bad instead of the
 * statement failing), and check what CAST still rounds or overflows: integers and floats, at any
 * depth of a nested value.
 *
 * 'lenient': DuckDB's TRY_CAST as it is. A value that does not cast at all is bad either way, and
 * NULL is never accepted into a NOT NULL column (that is a constraint, not a cast).
 */
import type { Column } from '../../catalog/types.js';
import { numericKind, parseType, typeText, type TypeNode } from '../../duck/type-tree.js';
import { isTextType } from './format.js';
import type { StagedColumn } from './staged-rows.js';

export const CASTS_VALUES = ['strict', 'lenient'] as const;
export type Casts = (typeof CASTS_VALUES)[number];

const INFINITY_SPELLINGS = "('inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity')";

/** SQL: `t`, a number's text, says no more than `v`, the integer it became (no fraction rounded away). */
function integralSql(t: string, v: string): string {
  return `(${t} IS NULL OR NOT (contains(${t}, '.') OR contains(${t}, 'e') OR contains(${t}, 'E')) OR TRY_CAST(${t} AS DOUBLE) = ${v})`;
}

/** SQL: `v`, the float `t` became, is infinite only when `t` says so (not by overflow). */
function inRangeSql(t: string, v: string): string {
  return `(${v} IS NULL OR NOT isinf(${v}) OR lower(trim(${t})) IN ${INFINITY_SPELLINGS})`;
}

function hasNumericLeaf(node: TypeNode): boolean {
  switch (node.kind) {
    case 'scalar':
      return numericKind(node) !== null;
    case 'list':
      return hasNumericLeaf(node.element);
    case 'struct':
      return node.fields.some((f) => hasNumericLeaf(f.type));
    case 'map':
      return hasNumericLeaf(node.key) || hasNumericLeaf(node.value);
  }
}

/** `node` with every integer and float leaf as VARCHAR: a value cast to it keeps each number's text. */
function textLeaves(node: TypeNode): TypeNode {
  switch (node.kind) {
    case 'scalar':
      return numericKind(node) === null ? node : { kind: 'scalar', text: 'VARCHAR' };
    case 'list':
      return { ...node, element: textLeaves(node.element) };
    case 'struct':
      return { kind: 'struct', fields: node.fields.map((f) => ({ name: f.name, type: textLeaves(f.type) })) };
    case 'map':
      return { kind: 'map', key: textLeaves(node.key), value: textLeaves(node.value) };
  }
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * SQL: every number in `v` (of type `node`) is exact against its text at the same place in `t` (of
 * type textLeaves(node)). Lists are walked pairwise (list_zip), so `t` and `v` are read once per level.
 */
function leavesExactSql(t: string, v: string, node: TypeNode, depth: number): string {
  switch (node.kind) {
    case 'scalar': {
      const kind = numericKind(node);
      return kind === 'integer' ? integralSql(t, v) : kind === 'float' ? inRangeSql(t, v) : 'true';
    }
    case 'list': {
      const p = `__p${depth}`;
      return `coalesce(list_bool_and(list_transform(list_zip(${t}, ${v}), ${p} -> ${leavesExactSql(`${p}[1]`, `${p}[2]`, node.element, depth + 1)})), true)`;
    }
    case 'struct': {
      const checks = node.fields
        .filter((f) => hasNumericLeaf(f.type))
        .map((f) => leavesExactSql(`struct_extract(${t}, ${literal(f.name)})`, `struct_extract(${v}, ${literal(f.name)})`, f.type, depth));
      return checks.length === 0 ? 'true' : `(${checks.join(' AND ')})`;
    }
    case 'map': {
      const keys = hasNumericLeaf(node.key) ? leavesExactSql(`map_keys(${t})`, `map_keys(${v})`, { kind: 'list', element: node.key, size: null }, depth) : 'true';
      const values = hasNumericLeaf(node.value) ? leavesExactSql(`map_values(${t})`, `map_values(${v})`, { kind: 'list', element: node.value, size: null }, depth) : 'true';
      return `(${keys} AND ${values})`;
    }
  }
}

/** How a value's text is read as a nested value: JSON text, or DuckDB's own text of lists and structs. */
type TextSyntax = 'json' | 'duckdb';

function parseText(r: string, syntax: TextSyntax): string {
  return syntax === 'json' ? `${r}::JSON` : r;
}

/** The strict checks of a cast to a nested type, from the value's text `r` (a staged column). */
function nestedChecks(node: TypeNode, type: string, syntax: TextSyntax): Pick<StagedColumn, 'exact' | 'inexact' | 'explain'> {
  const explain = (lit: string) => `CAST(${parseText(lit, syntax)} AS ${type})`;
  if (!hasNumericLeaf(node)) return { explain };
  const text = typeText(textLeaves(node));
  return {
    // the whole value is the one element of a list, so its text is cast once however many numbers it holds
    exact: (r, v) => leavesExactSql(`[try(CAST(${parseText(r, syntax)} AS ${text}))]`, `[${v}]`, { kind: 'list', element: node, size: null }, 0),
    inexact: 'a number in it would be rounded or overflow',
    explain,
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
    if (casts === 'lenient') return { column, raw: text, value: `TRY_CAST(${json} AS ${type})` };
    const checks = node === null || node.kind === 'scalar' ? { explain: (lit: string) => `CAST(${lit}::JSON AS ${type})` } : nestedChecks(node, type, 'json');
    return { column, raw: text, value: `try(CAST(${json} AS ${type}))`, ...checks };
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
  if (casts === 'lenient' || to === null) return lenient;
  if (to.kind !== 'scalar') {
    // read through its text, whose strict cast refuses struct fields the type does not have
    // (a cast from one struct type to another drops them)
    const textOf = from !== null && from.kind === 'scalar' && isTextType(from.text) ? expr : `TRY_CAST(${expr} AS VARCHAR)`;
    const extra = from === null ? null : extraField(from, to);
    const reason = extra === null ? {} : { reason: `its field "${extra}" is not in ${type}` };
    return { column, raw: expr, value: `try(CAST(${textOf} AS ${type}))`, ...nestedChecks(to, type, 'duckdb'), ...reason };
  }
  return mayLoseNumber(from, to) ? { ...lenient, ...scalarChecks(to) } : lenient;
}
