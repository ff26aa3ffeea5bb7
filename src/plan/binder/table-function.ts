/**
 * Table functions in FROM: the window table functions TUMBLE(src, ts, size), HOP(src, ts, slide, size)
 * and SESSION(src, ts, gap [, partition column ...]). Flink's `TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), size))`
 * arrives here already rewritten to `TUMBLE(src, (ts), size)` by the SQL front end.
 *
 * `src` is a relation name (source, table, view, CTE) or a subquery; `ts` a TIMESTAMP or TIMESTAMPTZ
 * column of it. The result has src's fields, then `window_start` and `window_end` of ts's type, all
 * qualified by the alias, else by src's name (RisingWave's Nexmark q5 writes `bid.auction` after
 * `FROM HOP(bid, ...)`).
 */
import { EddyError, type SqlPosition } from '../../util/errors.js';
import { eventTimeType, type Field } from '../logical/field.js';
import type { WindowNode } from '../logical/nodes.js';
import type { ExprNode, FromItem, SelectStmt } from './ast.js';
import { columnIdent, functionName, isColumnRef, qualifierOf } from './ast.js';
import { relationProbe, requalify, type BoundFrom } from './bound-from.js';
import { intervalMicros } from './interval.js';
import type { Span } from './locator.js';
import { NameAllocator } from './names.js';
import { bindQueryBody } from './query.js';
import { bindRelationRef } from './relation.js';
import { Scope } from './scope.js';
import { printExpr } from './sql-printer.js';
import type { BinderState } from './state.js';

type WindowKind = WindowNode['window'];

const USAGE: Record<WindowKind, string> = {
  tumble: "TUMBLE(relation, time_column, INTERVAL '10' SECOND)",
  hop: "HOP(relation, time_column, INTERVAL '2' SECOND /* slide */, INTERVAL '10' SECOND /* size */)",
  session: "SESSION(relation, time_column, INTERVAL '10' SECOND /* gap */ [, partition_column ...])",
};

export async function bindTableFunction(item: FromItem, state: BinderState): Promise<BoundFrom> {
  const call = item.expr!;
  const name = functionName(call) ?? 'unknown';
  const position = state.loc.positionOf(call, state.loc.whole);
  if (name === 'tumble' || name === 'hop' || name === 'session') return bindWindow(name, item, state, position);
  throw new EddyError('FEATURE_NOT_SUPPORTED', `table function ${name} is not supported in FROM`, {
    position,
    hint: 'FROM may name sources, tables, views, materialized views, CTEs, subqueries and the window functions TUMBLE, HOP, SESSION',
  });
}

async function bindWindow(kind: WindowKind, item: FromItem, state: BinderState, position: SqlPosition): Promise<BoundFrom> {
  const call = item.expr!;
  const span = state.loc.spanOf(call, state.loc.whole);
  const args = ((call.args as { value?: ExprNode[] } | undefined)?.value ?? []) as ExprNode[];
  const fixed = kind === 'hop' ? 4 : 3;
  if (args.length < fixed || (kind !== 'session' && args.length > fixed)) {
    throw new EddyError('INVALID_PARAMETER', `${kind.toUpperCase()} takes ${fixed} arguments, got ${args.length}`, {
      position,
      hint: `write ${USAGE[kind]}`,
    });
  }
  const alias = item.as ?? null;
  // Arguments without a recorded location are searched for within their own stretch of the call's text.
  const starts = argumentStarts(state.loc.text, span);
  const at = (node: ExprNode): SqlPosition => {
    const i = args.indexOf(node);
    const argSpan = i >= 0 && starts.length === args.length ? { start: starts[i]!, end: starts[i + 1] ?? span.end } : span;
    return state.loc.positionOf(node, argSpan);
  };
  const input = await bindWindowInput(args[0]!, alias, state, kind, at);
  const scope = Scope.of(input.node);
  const resolve = (node: ExprNode, what: string): Field => {
    if (!isColumnRef(node) || node.column === '*') {
      throw new EddyError('INVALID_PARAMETER', `the ${what} of ${kind.toUpperCase()} must be a column name`, {
        position: at(node),
        hint: `write ${USAGE[kind]}`,
      });
    }
    const id = columnIdent(node);
    return scope.resolve({ qualifier: qualifierOf(node), name: id.name, quoted: id.quoted }, at(node));
  };
  const time = resolve(args[1]!, 'time column (second argument)');
  if (eventTimeType(time.type) === null) {
    throw new EddyError('DATATYPE_MISMATCH', `the time column "${time.userName}" of ${kind.toUpperCase()} must be TIMESTAMP or TIMESTAMPTZ, not ${time.type}`, {
      position: at(args[1]!),
      hint: 'cast it in a subquery, e.g. TUMBLE((SELECT *, CAST(t AS TIMESTAMP) AS ts FROM src), ts, ...)',
    });
  }
  const sizeArg = kind === 'hop' ? args[3]! : args[2]!;
  const what = kind === 'session' ? 'session gap' : 'window size';
  const sizeMicros = await positiveMicros(sizeArg, state, at(sizeArg), `${kind.toUpperCase()} ${what}`);
  let slideMicros: number | null = null;
  if (kind === 'hop') {
    slideMicros = await positiveMicros(args[2]!, state, at(args[2]!), 'HOP slide');
    if (sizeMicros % slideMicros !== 0) {
      throw new EddyError('INVALID_PARAMETER', `HOP window size ${printExpr(args[3]!)} must be a whole multiple of its slide ${printExpr(args[2]!)}`, {
        position: at(args[3]!),
        hint: `write ${USAGE.hop}`,
      });
    }
  }
  const partitionBy = (kind === 'session' ? args.slice(3) : []).map((a) => resolve(a, 'partition column').name);
  const display = `${kind.toUpperCase()}(${(kind === 'hop' ? [args[2]!, args[3]!] : [sizeArg]).map(printExpr).join(', ')})`;

  const qualifier = input.node.fields[0]?.qualifier ?? alias;
  const names = new NameAllocator(input.node.fields.map((f) => f.name));
  const bound = (userName: string): Field => ({ name: names.allocate(userName), type: time.type, userName, qualifier });
  const fields = [...input.node.fields, bound('window_start'), bound('window_end')];
  const node: WindowNode = {
    kind: 'window',
    input: input.node,
    window: kind,
    timeField: time.name,
    sizeMicros,
    slideMicros,
    display,
    partitionBy,
    fields,
  };
  return { node, scope: Scope.of(node), probe: relationProbe(fields, qualifier) };
}

/** The window's input: a relation name (with the TVF's alias, else its own name) or a subquery. */
async function bindWindowInput(
  arg: ExprNode,
  alias: string | null,
  state: BinderState,
  kind: WindowKind,
  at: (node: ExprNode) => SqlPosition,
): Promise<BoundFrom> {
  const sub = (arg as { ast?: SelectStmt }).ast;
  if (sub) {
    const node = requalify(await bindQueryBody(sub, state, { root: false }), alias);
    return { node, scope: Scope.of(node), probe: relationProbe(node.fields, alias) };
  }
  if (isColumnRef(arg) && arg.column !== '*') {
    const name = columnIdent(arg).name;
    const db = qualifierOf(arg);
    return bindRelationRef({ table: name, db, as: alias }, state);
  }
  throw new EddyError('INVALID_PARAMETER', `the first argument of ${kind.toUpperCase()} must name a relation (source, table, view or CTE) or be a subquery`, {
    position: at(arg),
    hint: `write ${USAGE[kind]}`,
  });
}

/** Offsets where each top-level argument of the call in `span` begins (skipping whitespace). */
function argumentStarts(text: string, span: Span): number[] {
  const starts: number[] = [];
  let depth = 0;
  let quote: string | null = null;
  const skipSpace = (i: number): number => {
    while (i < span.end && /\s/.test(text[i]!)) i++;
    return i;
  };
  for (let i = span.start; i < span.end; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '(') {
      depth++;
      if (depth === 1) starts.push(skipSpace(i + 1));
    } else if (c === ')') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      starts.push(skipSpace(i + 1));
    }
  }
  return starts;
}

async function positiveMicros(node: ExprNode, state: BinderState, position: SqlPosition, what: string): Promise<number> {
  const micros = await intervalMicros(node, state, position, what);
  if (micros <= 0) {
    throw new EddyError('INVALID_PARAMETER', `${what} must be positive, got ${printExpr(node)}`, { position });
  }
  return micros;
}

