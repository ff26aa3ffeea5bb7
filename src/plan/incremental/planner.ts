/**
 * Logical plan -> incremental operators. Stream subtrees become operators; subtrees over tables
 * only stay logical and are read as of each batch (the table side of a stream-table join).
 * Event-time fields are followed so that windowed state can be closed and evicted by watermark.
 */
import type { CatalogReader } from '../../catalog/reader.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { JoinNode, JoinTimeBound, LogicalNode, OverNode, RankNode, WindowNode } from '../logical/nodes.js';
import { findWindowEnd, gridOf, NO_EVENT_TIMES, paddedTime, type EventTime, type EventTimes } from './event-time.js';
import type { ChangelogKind, IncrementalNode, StateTableDecl, WindowEnd } from './nodes.js';
import { staticSql } from './static-sql.js';
import { KEYED_POSITION } from '../../catalog/keyed-source.js';

export type Planned =
  | { readonly stream: IncrementalNode; readonly times: EventTimes }
  | { readonly static: LogicalNode };

export interface PlannerOptions {
  /** Emit windowed aggregates once, when their window closes (append output), rather than on every change. */
  readonly emitOnClose: boolean;
}

export class Planner {
  private next = 1;
  readonly sources = new Set<string>();
  readonly tables = new Set<string>();
  readonly warnings: string[] = [];
  /**
   * Equal subtrees are planned once and their operator shared: a query that reads the same
   * aggregate twice (Nexmark q5 joins bids-per-auction-window with its own maximum) keeps one state
   * and computes one delta per batch, which both consumers read.
   */
  private readonly planned = new Map<string, Planned>();

  constructor(private readonly catalog: CatalogReader, private readonly options: PlannerOptions) {}

  private id(): string {
    return `op${this.next++}`;
  }

  plan(node: LogicalNode): Planned {
    const key = JSON.stringify(node);
    const known = this.planned.get(key);
    if (known) return known;
    const planned = this.planNode(node);
    this.planned.set(key, planned);
    return planned;
  }

  private planNode(node: LogicalNode): Planned {
    switch (node.kind) {
      case 'scan':
        return node.relation === 'table' ? this.table(node) : node.relation === 'materialized_view' ? this.view(node) : this.source(node);
      case 'filter': {
        // WHERE over an inner or comma join is part of the join's condition: joining first and
        // filtering after would pair every row of one side with every row of the other.
        if (node.input.kind === 'join' && (node.input.joinType === 'inner' || node.input.joinType === 'cross')) {
          return this.plan(withCondition(node.input, node.predicate));
        }
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        return this.map(input, node.predicate, null, node.fields);
      }
      case 'project': {
        // Project over Filter is the common `SELECT ... WHERE ...`: one fused operator.
        if (node.input.kind === 'filter' && !(node.input.input.kind === 'join' && (node.input.input.joinType === 'inner' || node.input.input.joinType === 'cross'))) {
          const below = this.plan(node.input.input);
          if ('static' in below) return { static: node };
          return this.map(below, node.input.predicate, node.exprs, node.fields);
        }
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        return this.map(input, null, node.exprs, node.fields);
      }
      case 'aggregate':
      case 'distinct':
        return this.aggregate(node);
      case 'join':
        return this.join(node);
      case 'union':
        return this.union(node);
      case 'window':
        return this.window(node);
      case 'rank':
        return this.rank(node);
      case 'over':
        return this.over(node);
      case 'sort_limit':
        throw new EddyError('FEATURE_NOT_SUPPORTED', 'ORDER BY / LIMIT is only supported at the top of a continuous query');
    }
  }

  /**
   * A table is a changelog input like a source, its changes weighted in `__op` (retracting, unless it
   * is APPEND ONLY); joined FOR SYSTEM_TIME AS OF PROCTIME() it stays logical, read as of each batch.
   */
  private table(node: Extract<LogicalNode, { kind: 'scan' }>): Planned {
    if (node.asOfProctime) {
      this.tables.add(node.name);
      return { static: node };
    }
    const table = this.catalog.get(node.name);
    if (!table || table.kind !== 'table') throw new EddyError('INTERNAL', `"${node.name}" is not a table`);
    this.sources.add(node.name);
    const columns = node.fields.map((f, i) => table.columns[i]?.name ?? f.userName);
    return {
      stream: {
        kind: 'source_scan', id: this.id(), source: node.name, fields: node.fields, columns, lateRowsColumn: null, weighted: true,
        changelog: table.appendOnly ? 'append-only' : 'retracting', state: [],
        columnsRead: node.fieldsRead === undefined ? null : columns.filter((_, i) => node.fieldsRead!.includes(node.fields[i]!.name)),
      },
      times: NO_EVENT_TIMES,
    };
  }

  /** A materialized view read as its output changes, weighted like a table's. */
  private view(node: Extract<LogicalNode, { kind: 'scan' }>): Planned {
    const view = this.catalog.get(node.name);
    if (!view || view.kind !== 'materialized_view') throw new EddyError('INTERNAL', `"${node.name}" is not a materialized view`);
    this.sources.add(node.name);
    return {
      stream: {
        kind: 'source_scan', id: this.id(), source: node.name, fields: node.fields, columns: view.columns.map((c) => c.name), lateRowsColumn: null,
        weighted: true, changelog: 'retracting', state: [], columnsRead: null,
      },
      times: NO_EVENT_TIMES,
    };
  }

  private source(node: Extract<LogicalNode, { kind: 'scan' }>): Planned {
    this.sources.add(node.name);
    const source = this.catalog.get(node.name);
    if (!source || source.kind !== 'source') throw new EddyError('INTERNAL', `"${node.name}" is not a source`);
    const columns = node.fields.map((f, i) => source.columns[i]?.name ?? f.userName);
    const times = new Map<string, EventTime>();
    const timeColumn = source.watermark?.column ?? null;
    if (timeColumn !== null) {
      const i = columns.indexOf(timeColumn);
      if (i >= 0) times.set(node.fields[i]!.name, { kind: 'time' });
    }
    const columnsRead = node.fieldsRead === undefined ? null : columns.filter((_, i) => node.fieldsRead!.includes(node.fields[i]!.name));
    const key = source.primaryKey ?? [];
    if (key.length === 0) {
      return {
        stream: {
          kind: 'source_scan', id: this.id(), source: node.name, fields: node.fields, columns,
          lateRowsColumn: timeColumn, weighted: false, changelog: 'append-only', state: [], columnsRead,
        },
        times,
      };
    }
    // A keyed source: its rows are commands per key (weighted: +1 upsert, -1 delete), in order of
    // their position; the upsert operator turns them into retractions and insertions.
    const position: Field = { name: `${KEYED_POSITION}_${node.name}`, type: 'BIGINT', userName: KEYED_POSITION, qualifier: null };
    const keyFields = key.map((k) => node.fields[columns.indexOf(k)]!.name);
    const scan: IncrementalNode = {
      kind: 'source_scan', id: this.id(), source: node.name, fields: [...node.fields, position], columns: [...columns, KEYED_POSITION],
      lateRowsColumn: timeColumn, weighted: true, changelog: 'retracting', state: [],
      columnsRead: columnsRead === null ? null : [...new Set([...columnsRead, ...key, KEYED_POSITION])],
    };
    const id = this.id();
    const rowsTable = `${id}_rows`;
    return {
      stream: {
        kind: 'upsert', id, input: scan, key: keyFields, positionField: position.name, fields: node.fields, changelog: 'retracting',
        state: [{ name: rowsTable, purpose: 'the current row per key' }], rowsTable,
        ...(source.connector === 'postgres-cdc' ? { truncates: true as const } : {}),
      },
      // a key's row may be replaced by one of any event time: no window closes by watermark
      times: NO_EVENT_TIMES,
    };
  }

  private map(input: Extract<Planned, { stream: unknown }>, filter: string | null, exprs: readonly string[] | null, fields: readonly Field[]): Planned {
    const times = new Map<string, EventTime>();
    fields.forEach((f, i) => {
      const from = exprs === null ? f.name : fieldRef(exprs[i]!);
      const time = from === null ? undefined : input.times.get(from);
      if (time) times.set(f.name, time);
    });
    return {
      stream: { kind: 'map', id: this.id(), input: input.stream, filter, exprs, fields, changelog: input.stream.changelog, state: [] },
      times,
    };
  }

  private aggregate(node: Extract<LogicalNode, { kind: 'aggregate' | 'distinct' }>): Planned {
    const input = this.plan(node.input);
    if ('static' in input) return { static: node };
    const id = this.id();
    const keys = node.kind === 'distinct' ? node.input.fields.map((f) => f.name) : node.keys;
    const aggregates = node.kind === 'distinct' ? [] : node.aggregates;
    const keyFields = node.fields.slice(0, keys.length).map((f) => f.name);
    const times = new Map<string, EventTime>();
    keys.forEach((k, i) => {
      const time = input.times.get(k);
      if (time) times.set(keyFields[i]!, time);
    });
    const windowEnd = onGridIfFresh(findWindowEnd(keyFields, times), input.stream);
    const emit = windowEnd !== null && this.options.emitOnClose && input.stream.changelog === 'append-only' ? 'close' : 'update';
    const changelog: ChangelogKind = emit === 'close' ? 'append-only' : 'retracting';
    const groupsTable = `${id}_groups`;
    const valuesTables = aggregates.map((a, i) => (needsMultiset(a, input.stream.changelog) ? `${id}_values${i}` : null));
    const state: StateTableDecl[] = [{ name: groupsTable, purpose: 'one row of accumulators per group' }];
    valuesTables.forEach((name, i) => {
      const a = aggregates[i]!;
      if (name !== null) state.push({ name, purpose: a.fn === 'general' ? `rows ${a.name} reads per group, with multiplicity` : `values of ${a.fn} per group, with multiplicity` });
    });
    return {
      stream: {
        kind: 'aggregate', id, input: input.stream, keys, aggregates, distinct: node.kind === 'distinct', windowEnd, emit,
        fields: node.fields, changelog, state, groupsTable, valuesTables,
      },
      times,
    };
  }

  private window(node: WindowNode): Planned {
    const input = this.plan(node.input);
    if ('static' in input) return { static: node };
    const [start, end] = node.fields.slice(-2) as [Field, Field];
    const times = new Map(input.times);
    const watermarked = input.times.has(node.timeField);
    const lag = input.times.get(node.timeField)?.lagMicros;
    if (watermarked) {
      // epoch-aligned TUMBLE and HOP bounds are multiples of the slide (HOP's size is one of it)
      const grid = node.window === 'session' ? {} : { gridMicros: node.slideMicros ?? node.sizeMicros };
      const lagging = lag ? { lagMicros: lag } : {};
      times.set(start.name, { kind: 'window_start', sizeMicros: node.window === 'session' ? 0 : node.sizeMicros, ...grid, ...lagging });
      times.set(end.name, { kind: 'window_end', ...grid, ...lagging });
    }
    if (node.window === 'session') {
      if (!watermarked) {
        throw new EddyError('FEATURE_NOT_SUPPORTED', `SESSION windows need a watermark on their time column "${node.timeField}"`, {
          hint: 'declare WATERMARK FOR <column> AS <column> - INTERVAL ... on the source: a session is emitted when the watermark closes it',
        });
      }
      if (input.stream.changelog !== 'append-only') throw new EddyError('FEATURE_NOT_SUPPORTED', 'SESSION windows over a changing (retracting) input are not supported');
      if (lag) {
        throw new EddyError('FEATURE_NOT_SUPPORTED', `SESSION windows over a stream join's output are not supported: "${node.timeField}" may arrive below the watermark`, {
          hint: 'make the sessions of one input first, then join them',
        });
      }
      const id = this.id();
      const rowsTable = `${id}_rows`;
      // An open session may start long before the watermark: its start bounds nothing.
      times.delete(start.name);
      return {
        stream: {
          kind: 'session_window', id, input: input.stream, timeField: node.timeField, gapMicros: node.sizeMicros, partitionBy: node.partitionBy,
          fields: node.fields, changelog: 'append-only', state: [{ name: rowsTable, purpose: 'rows of open sessions' }], rowsTable,
        },
        times,
      };
    }
    return {
      stream: {
        kind: 'window_assign', id: this.id(), input: input.stream, timeField: node.timeField, sizeMicros: node.sizeMicros,
        slideMicros: node.window === 'hop' ? node.slideMicros : null, fields: node.fields, changelog: input.stream.changelog, state: [],
      },
      times,
    };
  }

  private rank(node: RankNode): Planned {
    const input = this.plan(node.input);
    if ('static' in input) return { static: node };
    const id = this.id();
    const rowsTable = `${id}_rows`;
    return {
      stream: {
        kind: 'rank', id, input: input.stream, rankFunction: node.rankFunction, partitionBy: node.partitionBy, orderBy: node.orderBy,
        limit: node.limit, rankField: node.rankField, windowEnd: onGridIfFresh(findWindowEnd(node.partitionBy, input.times), input.stream),
        fields: node.fields, changelog: 'retracting', state: [{ name: rowsTable, purpose: 'candidate rows per partition' }], rowsTable,
      },
      times: timesKept(input.times, node.fields),
    };
  }

  private over(node: OverNode): Planned {
    const input = this.plan(node.input);
    if ('static' in input) return { static: node };
    const id = this.id();
    const rowsTable = `${id}_rows`;
    return {
      stream: {
        kind: 'over_window', id, input: input.stream, exprs: node.exprs, partitionBy: node.partitionBy,
        windowEnd: onGridIfFresh(findWindowEnd(node.partitionBy, input.times), input.stream),
        fields: node.fields, changelog: 'retracting', state: [{ name: rowsTable, purpose: 'input rows per partition' }], rowsTable,
      },
      times: timesKept(input.times, node.fields),
    };
  }

  private union(node: Extract<LogicalNode, { kind: 'union' }>): Planned {
    const inputs = node.inputs.map((i) => this.plan(i));
    if (inputs.every((i) => 'static' in i)) return { static: node };
    const streams = inputs.map((i) => {
      if ('static' in i) {
        throw new EddyError('FEATURE_NOT_SUPPORTED', 'UNION ALL of a stream and a table is not supported in a continuous query', {
          hint: 'union streams with streams; join a stream with a table instead',
        });
      }
      return i;
    });
    const times = new Map<string, EventTime>();
    node.fields.forEach((f, j) => {
      const kinds = streams.map((s) => s.times.get(s.stream.fields[j]!.name));
      const first = kinds[0];
      if (first && kinds.every((k) => k !== undefined && JSON.stringify(k) === JSON.stringify(first))) times.set(f.name, first);
    });
    return {
      stream: {
        kind: 'union', id: this.id(), inputs: streams.map((s) => s.stream), fields: node.fields, state: [],
        changelog: streams.some((s) => s.stream.changelog === 'retracting') ? 'retracting' : 'append-only',
      },
      times,
    };
  }

  private join(node: JoinNode): Planned {
    const left = this.plan(node.left);
    const right = this.plan(node.right);
    if ('static' in left && 'static' in right) return { static: node };
    if ('stream' in left && 'stream' in right) return this.streamJoin(node, left, right);
    const streamIsLeft = 'stream' in left;
    const stream = ('stream' in left ? left : right) as Extract<Planned, { stream: unknown }>;
    const table = ('static' in left ? left.static : (right as { static: LogicalNode }).static);
    const preserved = node.joinType === 'left' ? 'left' : node.joinType === 'right' ? 'right' : null;
    if (node.joinType === 'full' || (preserved !== null && (preserved === 'left') !== streamIsLeft)) {
      throw new EddyError('FEATURE_NOT_SUPPORTED',
        `${node.joinType.toUpperCase()} JOIN that preserves the rows of a table is not supported in a continuous query: a table row's match can arrive at any time`, {
          hint: 'preserve the stream side instead (stream LEFT JOIN table), or use an inner join',
        });
    }
    return {
      stream: {
        kind: 'lookup_join', id: this.id(), stream: stream.stream, table: staticSql(table, this.catalog), tableFields: table.fields,
        streamIsLeft, joinType: preserved === null ? 'inner' : 'left', condition: node.condition,
        fields: node.fields, changelog: stream.stream.changelog, state: [],
      },
      times: stream.times,
    };
  }

  private streamJoin(node: JoinNode, left: Extract<Planned, { stream: unknown }>, right: Extract<Planned, { stream: unknown }>): Planned {
    const bound = node.timeBound ?? null;
    const outer = node.joinType === 'left' || node.joinType === 'right' || node.joinType === 'full';
    const appendOnly = left.stream.changelog === 'append-only' && right.stream.changelog === 'append-only';
    // An outer join evicts by watermark only over inputs that only append: it pads a row once, when
    // the row can meet no partner any more. Otherwise it keeps both inputs and pads (and retracts
    // the padding of) each row as its matches come and go.
    const evictable = bound !== null && left.times.has(bound.leftField) && right.times.has(bound.rightField) && (!outer || appendOnly);
    if (!evictable) {
      this.warnings.push(
        'a join of two streams without a time bound between watermarked event times keeps both inputs in state forever: its state grows without bound',
      );
    }
    const id = this.id();
    const leftTable = `${id}_left`;
    const rightTable = `${id}_right`;
    const times = evictable ? joinedTimes(node, bound!, left.times, right.times) : NO_EVENT_TIMES;
    return {
      stream: {
        kind: 'stream_join', id, left: left.stream, right: right.stream, joinType: node.joinType, condition: node.condition,
        timeBound: evictable ? bound : null, fields: node.fields,
        slackMicros: { left: evictable ? slack(left.times.get(bound!.leftField)) : 0, right: evictable ? slack(right.times.get(bound!.rightField)) : 0 },
        gridMicros: { left: evictable ? gridOf(left.times.get(bound!.leftField)) : null, right: evictable ? gridOf(right.times.get(bound!.rightField)) : null },
        state: [
          { name: leftTable, purpose: `rows of the left input${evictable ? ', evicted by watermark' : ' (unbounded)'}` },
          { name: rightTable, purpose: `rows of the right input${evictable ? ', evicted by watermark' : ' (unbounded)'}` },
        ],
        leftTable, rightTable,
        changelog: appendOnly && (!outer || evictable) ? 'append-only' : 'retracting',
      },
      times,
    };
  }
}

/**
 * Whether every row a node emits in a batch has its event times at or above the batch's watermark:
 * rows fresh from the sources (late rows are dropped), and what stateless operators and update-mode
 * aggregates (whose touched windows are open) make of them. A stream join matches new rows with
 * stored older ones and pads rows it evicts, an aggregate emitting on close emits closed windows,
 * ranks, window functions and sessions re-emit stored rows.
 */
function emitsFreshRows(node: IncrementalNode): boolean {
  switch (node.kind) {
    case 'source_scan':
      return true;
    case 'map':
    case 'window_assign':
      return emitsFreshRows(node.input);
    case 'lookup_join':
      return emitsFreshRows(node.stream);
    case 'union':
      return node.inputs.every(emitsFreshRows);
    case 'aggregate':
      return node.emit === 'update' && emitsFreshRows(node.input);
    case 'stream_join':
    case 'rank':
    case 'over_window':
    case 'session_window':
    case 'upsert':
      return false;
  }
}

/**
 * A window end keeps its grid (evictions only when the watermark passes a multiple of it, rule.ts
 * closesSince) only where no row can arrive in a window the watermark already closed.
 */
function onGridIfFresh(end: WindowEnd | null, input: IncrementalNode): WindowEnd | null {
  return end === null || end.gridMicros === null || emitsFreshRows(input) ? end : { ...end, gridMicros: null };
}

/** An inner join whose condition also holds `predicate` (over the join's fields). */
function withCondition(join: JoinNode, predicate: string): JoinNode {
  const condition = join.condition === null ? predicate : `(${join.condition}) AND (${predicate})`;
  return { ...join, joinType: 'inner', condition };
}

/** How far below the watermark a field's value may still appear in a future delta. */
function slack(time: EventTime | undefined): number {
  return (time?.kind === 'window_start' ? time.sizeMicros : 0) + (time?.lagMicros ?? 0);
}

/**
 * The event times of a time-bounded stream join's output. A joined row pairs a new row with a stored
 * one (or two new ones); the bound keeps the stored row's time near the other's: with right - left
 * within [lower, upper], left >= right - upper >= watermark - upper - slack(right), and right >=
 * watermark - slack(left) + lower. So each side's bound field goes on, lagging the watermark by that
 * much. Other time fields of a side are not tied to the bound: dropped. A side whose unmatched rows
 * are padded and emitted at eviction (the preserved side of an outer join) may emit rows of any age
 * after a jump of the watermark: its times are dropped. Without an upper (lower) bound, stored left
 * (right) rows of any age can match: dropped too.
 */
function joinedTimes(node: JoinNode, bound: JoinTimeBound, leftTimes: EventTimes, rightTimes: EventTimes): EventTimes {
  const times = new Map<string, EventTime>();
  const leftPreserved = node.joinType === 'left' || node.joinType === 'full';
  const rightPreserved = node.joinType === 'right' || node.joinType === 'full';
  const keep = (side: EventTimes, field: string, lag: number | null, padded: boolean): void => {
    const time = side.get(field);
    if (!time || lag === null) return;
    const lagMicros = Math.max(time.lagMicros ?? 0, lag);
    const lagged: EventTime = lagMicros > 0 ? { ...time, lagMicros } : time;
    // an outer join pads the other side's window bounds with NULLs
    times.set(field, padded ? paddedTime(lagged) : lagged);
  };
  const slackLeft = slack(leftTimes.get(bound.leftField));
  const slackRight = slack(rightTimes.get(bound.rightField));
  if (!leftPreserved) keep(leftTimes, bound.leftField, bound.upperMicros === null ? null : bound.upperMicros + slackRight, rightPreserved);
  if (!rightPreserved) keep(rightTimes, bound.rightField, bound.lowerMicros === null ? null : slackLeft - bound.lowerMicros, leftPreserved);
  return times;
}

/** The field a projection expression merely references (`"x"`), or null. */
function fieldRef(expr: string): string | null {
  const m = /^"((?:[^"]|"")*)"$/.exec(expr);
  return m ? m[1]!.replaceAll('""', '"') : null;
}

/** Aggregates whose value cannot be kept as an accumulator and must keep the values they saw. */
export function needsMultiset(a: { fn: string; distinct: boolean }, input: ChangelogKind): boolean {
  if (a.fn === 'general') return true;
  if (a.fn === 'min' || a.fn === 'max') return input === 'retracting';
  return a.distinct;
}

export { NO_EVENT_TIMES };

/** The event times of the fields an operator passes through unchanged. */
function timesKept(times: EventTimes, fields: readonly Field[]): EventTimes {
  return new Map([...times].filter(([f]) => fields.some((x) => x.name === f)));
}
