/**
 * GROUP BY and aggregates. The plan is: a ProjectNode computing group keys, aggregate arguments and
 * FILTER conditions as fields; the AggregateNode over those field names; HAVING as a FilterNode; the
 * caller's final projection then renders select expressions over the aggregate's fields.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import { aggregateSql } from '../logical/aggregate-sql.js';
import type { AggregateCall, AggregateNode, AlgebraicFunction, FilterNode, LogicalNode, ProjectNode } from '../logical/nodes.js';
import { aggregateSyntax, isAggregateCall, type AggregateSyntax } from './aggregate-syntax.js';
import type { ExprNode, SelectStmt } from './ast.js';
import { columnIdent, isColumnRef, qualifierOf } from './ast.js';
import type { BoundFrom } from './bound-from.js';
import { containsAggregate, renderExpr, type RenderEnv } from './expression.js';
import type { Span } from './locator.js';
import { NameAllocator } from './names.js';
import { describeProbe, probeRelation, requireBoolean, typeScalars, type ProbeItem } from './probe.js';
import type { SelectEntry } from './select-entry.js';
import { printAggregateCall } from './sql-printer.js';
import type { BinderState } from './state.js';

export interface BoundAggregate {
  /** The aggregate, or the HAVING filter over it. */
  readonly node: LogicalNode;
  /** Renders a select-list (or ORDER BY) expression over the aggregate's fields. */
  readonly render: (node: ExprNode, span: Span, clause: string) => string;
  /** SQL for a field from `*` expansion: allowed only if it is a group key. */
  readonly fieldSql: (field: Field, position: SqlPosition) => string;
}

interface Computed {
  readonly sql: string;
  readonly field: Field;
  readonly position: SqlPosition;
  readonly what: string;
}

/** What the pre-projection computes; passthrough input fields keep their names. */
class PreProjection {
  readonly passthrough = new Map<string, Field>();
  readonly computed: Computed[] = [];
  private readonly names: NameAllocator;

  constructor(input: readonly Field[]) {
    this.names = new NameAllocator(input.map((f) => f.name));
  }

  /** The field name computing `sql` (reusing an input field or an earlier identical expression). */
  add(sql: string, input: Field | null, base: string, position: SqlPosition, what: string): string {
    if (input) {
      this.passthrough.set(input.name, input);
      return input.name;
    }
    const existing = this.computed.find((c) => c.sql === sql);
    if (existing) return existing.field.name;
    const name = this.names.allocate(base);
    this.computed.push({ sql, field: { name, type: '', userName: name, qualifier: null }, position, what });
    return name;
  }
}

export async function bindAggregate(input: BoundFrom, entries: readonly SelectEntry[], stmt: SelectStmt, state: BinderState): Promise<BoundAggregate> {
  const { scope } = input;
  const whole = state.loc.whole;
  const env = (clause: string, span: Span): RenderEnv => ({ state, scope, clause, span });
  const pre = new PreProjection(input.node.fields);
  const fieldOfRef = (node: ExprNode, span: Span): Field | null => {
    if (!isColumnRef(node) || node.column === '*' || node.array_index || node.options || node.collate) return null;
    const id = columnIdent(node);
    return scope.resolve({ qualifier: qualifierOf(node), name: id.name, quoted: id.quoted }, state.loc.positionOf(node, span));
  };

  // GROUP BY: expressions, output ordinals (GROUP BY 1) and output aliases (input columns win).
  const keyNames: string[] = [];
  const computedKeys = new Map<string, string>();
  const groupClause = state.loc.clause('group', whole);
  for (const g of stmt.groupby?.columns ?? []) {
    const span = state.loc.spanOf(g, groupClause);
    const position = state.loc.positionOf(g, span);
    const target = groupTarget(g, span, entries, scope, position);
    const name =
      'field' in target
        ? pre.add('', target.field, '', position, '')
        : addExpr(target.node, target.span, 'key', 'GROUP BY expression');
    if (!keyNames.includes(name)) keyNames.push(name);
    if ('node' in target && !fieldOfRef(target.node, target.span)) computedKeys.set(renderExpr(target.node, env('GROUP BY', target.span)), name);
  }
  function addExpr(node: ExprNode, span: Span, base: string, what: string): string {
    const sql = renderExpr(node, env(what, span));
    return pre.add(sql, fieldOfRef(node, span), base, state.loc.positionOf(node, span), what);
  }

  // Aggregate calls in the select list and HAVING, each computed once.
  const calls: { call: AggregateCall; field: Field; position: SqlPosition }[] = [];
  const callOf = new Map<ExprNode, number>();
  const callByKey = new Map<string, number>();
  // Calls are the same aggregate when every part of them renders the same SQL.
  const keyOfCall = (n: ExprNode, span: Span): string => {
    const c = aggregateSyntax(n);
    const part = (x: ExprNode, what: string) => renderExpr(x, env(what, state.loc.spanOf(x, span)));
    return JSON.stringify([
      c.name, c.distinct, c.star, c.withinGroup,
      c.args.map((a) => part(a, `the argument of ${c.name}`)),
      c.orderBy.map((o) => [part(o.node, `ORDER BY of ${c.name}`), o.descending, o.nullsFirst]),
      c.filter ? part(c.filter, 'FILTER (WHERE ...)') : '',
    ]);
  };
  const aggNames = new NameAllocator(keyNames);
  const collect = (node: unknown, span: Span): void => {
    if (Array.isArray(node)) return node.forEach((n) => collect(n, span));
    if (node === null || typeof node !== 'object') return;
    const n = node as ExprNode;
    const inner = typeof n.type === 'string' ? state.loc.spanOf(n, span) : span;
    if (typeof n.type === 'string' && isAggregateCall(n)) return void callOf.set(n, addCall(n, inner));
    for (const [k, v] of Object.entries(n)) if (k !== 'loc') collect(v, inner);
  };
  const addCall = (n: ExprNode, span: Span): number => {
    const c = aggregateSyntax(n);
    const position = state.loc.positionOf(n, span);
    if (containsAggregate([c.args, c.orderBy.map((o) => o.node), c.filter])) {
      throw new EddyError('GROUPING_ERROR', 'aggregate function calls cannot be nested', { position });
    }
    if (c.star && c.name !== 'count') throw new EddyError('SYNTAX_ERROR', `${c.name}(*) is not a valid aggregate call`, { position, hint: 'only count(*) takes *' });
    const key = keyOfCall(n, span);
    const known = callByKey.get(key);
    if (known !== undefined) return known;
    const where = c.filter;
    const filter = where ? quoteIdent(addExpr(where, state.loc.spanOf(where, span), `${c.name}_filter`, 'FILTER (WHERE ...)')) : null;
    const display = printAggregateCall(c);
    let call: AggregateCall;
    let base = c.name;
    const fn = algebraicFunction(c);
    if (fn !== null) {
      const argNode = c.args[0];
      const arg = argNode ? addExpr(argNode, state.loc.spanOf(argNode, span), `${fn}_arg`, `the argument of ${fn}`) : null;
      const argField = arg === null ? null : pre.passthrough.get(arg);
      if (argField) base = `${fn}_${argField.userName}`;
      call = { fn, arg, distinct: c.distinct && fn === 'count', filter, display };
    } else {
      // Each part's SQL: arguments that read columns and ORDER BY keys become input fields; constants
      // stay in the call (DuckDB wants a separator or a quantile's fraction constant).
      const inputs: string[] = [];
      const parts = new Map<ExprNode, string>();
      const input = (x: ExprNode, base: string, what: string): void => {
        const name = addExpr(x, state.loc.spanOf(x, span), base, what);
        if (!inputs.includes(name)) inputs.push(name);
        parts.set(x, quoteIdent(name));
      };
      c.args.forEach((a, k) => {
        if (readsColumns(a)) input(a, `${c.name}_arg`, `argument ${k + 1} of ${c.name}`);
        else parts.set(a, renderExpr(a, env(`the argument of ${c.name}`, state.loc.spanOf(a, span))));
      });
      for (const o of c.orderBy) input(o.node, `${c.name}_order`, `ORDER BY of ${c.name}`);
      const sql = printAggregateCall({ ...c, filter: null }, (x) => parts.get(x)!);
      call = { fn: 'general', name: c.name, sql, inputs, distinct: c.distinct, filter, display };
    }
    const name = aggNames.allocate(base);
    calls.push({ call, field: { name, type: '', userName: name, qualifier: null }, position });
    callByKey.set(key, calls.length - 1);
    return calls.length - 1;
  };
  for (const e of entries) if (e.kind === 'expr') collect(e.node, e.span);
  const havingClause = state.loc.clause('having', whole);
  if (stmt.having) collect(stmt.having, state.loc.spanOf(stmt.having, havingClause));

  // The pre-projection, typed by DuckDB.
  const types = await typeScalars(state, input.node.fields, pre.computed.map((c): ProbeItem => ({ sql: c.sql, position: c.position, what: c.what })));
  const computedFields = pre.computed.map((c, i) => ({ ...c.field, type: types[i]! }));
  const preFields = pre.computed.length === 0 ? input.node.fields : [...pre.passthrough.values(), ...computedFields];
  // Without computed expressions the aggregate reads its input's fields directly.
  const project: ProjectNode | LogicalNode = pre.computed.length === 0 ? input.node : {
    kind: 'project',
    input: input.node,
    exprs: [...[...pre.passthrough.keys()].map(quoteIdent), ...pre.computed.map((c) => c.sql)],
    fields: preFields,
  };

  // The aggregate; its output types are what DuckDB gives the same aggregates.
  const keyFields = keyNames.map((k) => preFields.find((f) => f.name === k)!);
  const aggSql = calls.map(({ call }) => aggregateSql(call));
  const keySql = keyNames.map(quoteIdent);
  const aggProbe = (aggs: readonly string[]): string =>
    `SELECT ${[...keySql, ...aggs, 'NULL'].join(', ')} FROM ${probeRelation(preFields)}${keySql.length ? ` GROUP BY ${keySql.join(', ')}` : ''}`;
  const selectAt = state.loc.position(state.loc.findKeyword('select', whole) ?? 0);
  let aggTypes: string[];
  try {
    aggTypes = await describeProbe(state, aggProbe(aggSql), selectAt, 'aggregate');
  } catch (e) {
    for (const [i, sql] of aggSql.entries()) await describeProbe(state, aggProbe([sql]), calls[i]!.position, calls[i]!.call.display);
    throw e;
  }
  const aggregate: AggregateNode = {
    kind: 'aggregate',
    input: project,
    keys: keyNames,
    aggregates: calls.map((c) => c.call),
    fields: [...keyFields, ...calls.map((c, i) => ({ ...c.field, type: aggTypes[keyNames.length + i]! }))],
  };
  const aggFieldNames = aggregate.fields.slice(keyNames.length).map((f) => f.name);

  // Expressions over the aggregate: aggregate calls -> their fields, group expressions -> key fields,
  // other columns must be group keys.
  const keySet = new Set(keyNames);
  const hook = (clause: string) => (node: ExprNode, span: Span): string | undefined => {
    const call = callOf.get(node) ?? (isAggregateCall(node) ? callByKey.get(keyOfCall(node, span)) : undefined);
    if (call !== undefined) return quoteIdent(aggFieldNames[call]!);
    if (computedKeys.size > 0 && !containsAggregate(node)) {
      try {
        const key = computedKeys.get(renderExpr(node, env(clause, span)));
        if (key !== undefined) return quoteIdent(key);
      } catch {
        // not a group expression; rendered (and reported) normally
      }
    }
    if (isColumnRef(node) && node.column !== '*') {
      const field = fieldOfRef({ ...node, array_index: undefined, options: undefined, collate: undefined }, span)!;
      if (keySet.has(field.name)) return undefined;
      throw groupingError(field, state.loc.positionOf(node, span), clause);
    }
    return undefined;
  };
  const render = (node: ExprNode, span: Span, clause: string): string => {
    return renderExpr(node, { state, scope, clause, span, hook: hook(clause) });
  };

  let node: LogicalNode = aggregate;
  if (stmt.having) {
    const span = state.loc.spanOf(stmt.having, havingClause);
    const predicate = render(stmt.having, span, 'HAVING');
    const position = state.loc.positionOf(stmt.having, span);
    const [t] = await typeScalars(state, aggregate.fields, [{ sql: predicate, position, what: 'HAVING clause' }]);
    requireBoolean(t!, 'HAVING', position);
    const filter: FilterNode = { kind: 'filter', input: aggregate, predicate, fields: aggregate.fields };
    node = filter;
  }
  const fieldSql = (field: Field, position: SqlPosition): string => {
    if (keySet.has(field.name)) return quoteIdent(field.name);
    throw groupingError(field, position, 'SELECT');
  };
  return { node, render, fieldSql };
}

/** The aggregates kept as accumulators, by the names DuckDB knows them by. */
const ALGEBRAIC: Readonly<Record<string, AlgebraicFunction>> = {
  count: 'count', sum: 'sum', avg: 'avg', mean: 'avg', min: 'min', max: 'max',
  var_samp: 'var_samp', variance: 'var_samp', var_pop: 'var_pop',
  stddev_samp: 'stddev_samp', stddev: 'stddev_samp', stddev_pop: 'stddev_pop',
  bool_and: 'bool_and', bool_or: 'bool_or',
};

/** Where DISTINCT changes nothing (or is kept as a multiset, count's) and the call stays an accumulator. */
const DISTINCT_KEPT = new Set<AlgebraicFunction>(['count', 'min', 'max', 'bool_and', 'bool_or']);

/** The accumulator a call is kept as: one argument, no ORDER BY, DISTINCT only where it is cheap; else null. */
function algebraicFunction(c: AggregateSyntax): AlgebraicFunction | null {
  const fn = Object.hasOwn(ALGEBRAIC, c.name) ? ALGEBRAIC[c.name]! : null;
  if (fn === null || c.orderBy.length > 0 || c.withinGroup) return null;
  if (c.args.length !== (c.star ? 0 : 1)) return null;
  return !c.distinct || DISTINCT_KEPT.has(fn) ? fn : null;
}

/** Whether an expression reads a column (else it is a constant the call keeps in place). */
function readsColumns(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(readsColumns);
  if (node === null || typeof node !== 'object') return false;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'column_ref' || 'ast' in obj) return true;
  return Object.entries(obj).some(([k, v]) => k !== 'loc' && readsColumns(v));
}

function groupingError(field: Field, position: SqlPosition, clause: string): EddyError {
  const name = field.qualifier ? `${field.qualifier}.${field.userName}` : field.userName;
  return new EddyError('GROUPING_ERROR', `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, {
    position,
    hint: `${clause} may use group keys and aggregates only: add "${name}" to GROUP BY, or aggregate it (e.g. max(${field.userName}))`,
  });
}

type GroupTarget = { readonly field: Field } | { readonly node: ExprNode; readonly span: Span };

function groupTarget(g: ExprNode, span: Span, entries: readonly SelectEntry[], scope: BoundFrom['scope'], position: SqlPosition): GroupTarget {
  const fromEntry = (e: SelectEntry): GroupTarget => (e.kind === 'field' ? { field: e.field } : { node: e.node, span: e.span });
  if (g.type === 'number') {
    const n = Number(g.value);
    const e = entries[n - 1];
    if (!Number.isInteger(n) || !e) {
      throw new EddyError('GROUPING_ERROR', `GROUP BY position ${String(g.value)} is not in the select list (it has ${entries.length} columns)`, { position });
    }
    return fromEntry(e);
  }
  if (isColumnRef(g) && g.column !== '*' && qualifierOf(g) === null) {
    const id = columnIdent(g);
    try {
      scope.resolve({ qualifier: null, name: id.name, quoted: id.quoted }, position);
    } catch (e) {
      const aliased = entries.find((x) => x.kind === 'expr' && x.alias !== null && x.alias.toLowerCase() === id.name.toLowerCase());
      if (e instanceof EddyError && e.code === 'UNDEFINED_COLUMN' && aliased) return fromEntry(aliased);
      throw e;
    }
  }
  return { node: g, span };
}
