/**
 * The incremental planner: logical plan -> a DAG of incremental operators, each declaring its state
 * and its changelog kind, checked against the requested output mode.
 */
import { createHash } from 'node:crypto';
import type { CatalogReader } from '../../catalog/reader.js';
import type { Column } from '../../catalog/types.js';
import type { OutputMode } from '../../connectors/types.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { LogicalNode, SortKey } from '../logical/nodes.js';
import { checkOutputMode, allowedOutputModes } from './output-mode.js';
import { explainOps } from './explain.js';
import type { ChangelogKind, IncrementalNode, StateTableDecl } from './nodes.js';
import { topologicalOrder } from './nodes.js';
import { staticSql } from './static-sql.js';

export type { ChangelogKind } from './nodes.js';

/** ORDER BY / LIMIT of the query's root, applied to the whole result (complete mode only). */
export interface ResultOrder {
  readonly orderBy: readonly SortKey[];
  readonly limit: number | null;
  readonly offset: number | null;
}

export interface IncrementalPlan {
  /** The result's columns (user-visible names and DuckDB types). */
  readonly columns: readonly Column[];
  readonly changelog: ChangelogKind;
  /** Output modes this plan allows, and the one chosen. */
  readonly allowedOutputModes: readonly OutputMode[];
  readonly outputMode: OutputMode;
  /** The result's key columns where it has one (group keys), for update-mode sinks. */
  readonly key: readonly string[] | null;
  /** Catalog names of the sources the plan reads (each becomes a SourceReader). */
  readonly sources: readonly string[];
  /** Catalog names of the tables the plan reads as of each batch. */
  readonly tables: readonly string[];
  /** A stable fingerprint of the plan, stored in the query's metadata to detect changed queries. */
  readonly fingerprint: string;
  readonly root: IncrementalNode;
  /** Every operator, inputs first. */
  readonly operators: readonly IncrementalNode[];
  readonly order: ResultOrder | null;
}

export interface PlanOptions {
  readonly name: string;
  /** The output mode asked for (sinks), or null: a materialized view keeps its result table. */
  readonly outputMode: OutputMode | null;
  readonly catalog: CatalogReader;
}

type Planned = { readonly stream: IncrementalNode } | { readonly static: LogicalNode };

class Planner {
  private next = 1;
  readonly sources = new Set<string>();
  readonly tables = new Set<string>();

  constructor(private readonly catalog: CatalogReader) {}

  private id(): string {
    return `op${this.next++}`;
  }

  plan(node: LogicalNode): Planned {
    switch (node.kind) {
      case 'scan':
        if (node.relation === 'table') {
          this.tables.add(node.name);
          return { static: node };
        }
        this.sources.add(node.name);
        return {
          stream: {
            kind: 'source_scan', id: this.id(), source: node.name, fields: node.fields,
            columns: sourceColumns(this.catalog, node.name, node.fields), changelog: 'append-only', state: [],
          },
        };
      case 'filter': {
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        return { stream: this.map(input.stream, node.predicate, null, node.fields) };
      }
      case 'project': {
        // Project over Filter is the common `SELECT ... WHERE ...`: one fused operator.
        if (node.input.kind === 'filter') {
          const below = this.plan(node.input.input);
          if ('static' in below) return { static: node };
          return { stream: this.map(below.stream, node.input.predicate, node.exprs, node.fields) };
        }
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        return { stream: this.map(input.stream, null, node.exprs, node.fields) };
      }
      case 'aggregate': {
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        const id = this.id();
        return {
          stream: {
            kind: 'aggregate', id, input: input.stream, keys: node.keys, aggregates: node.aggregates, distinct: false,
            fields: node.fields, changelog: 'retracting', state: aggregateState(id, node.aggregates, input.stream.changelog),
          },
        };
      }
      case 'distinct': {
        const input = this.plan(node.input);
        if ('static' in input) return { static: node };
        const id = this.id();
        return {
          stream: {
            kind: 'aggregate', id, input: input.stream, keys: node.input.fields.map((f) => f.name), aggregates: [],
            distinct: true, fields: node.fields, changelog: 'retracting', state: aggregateState(id, [], input.stream.changelog),
          },
        };
      }
      case 'join':
        return this.join(node);
      case 'union': {
        const inputs = node.inputs.map((i) => this.plan(i));
        if (inputs.every((i) => 'static' in i)) return { static: node };
        const streams = inputs.map((i) => {
          if ('static' in i) {
            throw new EddyError('FEATURE_NOT_SUPPORTED', 'UNION ALL of a stream and a table is not supported in a continuous query', {
              hint: 'union streams with streams; join a stream with a table instead',
            });
          }
          return i.stream;
        });
        return {
          stream: {
            kind: 'union', id: this.id(), inputs: streams, fields: node.fields, state: [],
            changelog: streams.some((s) => s.changelog === 'retracting') ? 'retracting' : 'append-only',
          },
        };
      }
      case 'sort_limit':
        throw new EddyError('FEATURE_NOT_SUPPORTED', 'ORDER BY / LIMIT is only supported at the top of a continuous query');
      case 'window':
      case 'rank':
        throw new EddyError('FEATURE_NOT_SUPPORTED', `${node.kind} is not supported yet`);
    }
  }

  private map(input: IncrementalNode, filter: string | null, exprs: readonly string[] | null, fields: readonly Field[]): IncrementalNode {
    return { kind: 'map', id: this.id(), input, filter, exprs, fields, changelog: input.changelog, state: [] };
  }

  private join(node: Extract<LogicalNode, { kind: 'join' }>): Planned {
    const left = this.plan(node.left);
    const right = this.plan(node.right);
    if ('static' in left && 'static' in right) return { static: node };
    if ('stream' in left && 'stream' in right) {
      if (node.joinType !== 'inner' && node.joinType !== 'cross') {
        throw new EddyError('FEATURE_NOT_SUPPORTED', `${node.joinType.toUpperCase()} JOIN of two streams is not supported yet`, {
          hint: 'use an INNER JOIN between streams, or join a stream with a table',
        });
      }
      const id = this.id();
      return {
        stream: {
          kind: 'stream_join', id, left: left.stream, right: right.stream, joinType: node.joinType, condition: node.condition,
          fields: node.fields, state: [
            { name: `${id}_left`, purpose: 'rows of the left input' },
            { name: `${id}_right`, purpose: 'rows of the right input' },
          ],
          changelog: left.stream.changelog === 'append-only' && right.stream.changelog === 'append-only' ? 'append-only' : 'retracting',
        },
      };
    }
    const streamIsLeft = 'stream' in left;
    const stream = 'stream' in left ? left.stream : (right as { stream: IncrementalNode }).stream;
    const table = 'static' in left ? left.static : (right as { static: LogicalNode }).static;
    const preserved = node.joinType === 'left' ? 'left' : node.joinType === 'right' ? 'right' : null;
    if (node.joinType === 'full' || (preserved !== null && (preserved === 'left') !== streamIsLeft)) {
      throw new EddyError('FEATURE_NOT_SUPPORTED',
        `${node.joinType.toUpperCase()} JOIN that preserves the rows of a table is not supported in a continuous query: a table row's match can arrive at any time`, {
          hint: 'preserve the stream side instead (stream LEFT JOIN table), or use an inner join',
        });
    }
    return {
      stream: {
        kind: 'lookup_join', id: this.id(), stream, table: staticSql(table, this.catalog), tableFields: table.fields,
        streamIsLeft, joinType: preserved === null ? 'inner' : 'left', condition: node.condition,
        fields: node.fields, changelog: stream.changelog, state: [],
      },
    };
  }
}

function sourceColumns(catalog: CatalogReader, name: string, fields: readonly Field[]): string[] {
  const source = catalog.get(name);
  if (!source || source.kind !== 'source') throw new EddyError('INTERNAL', `"${name}" is not a source`);
  return fields.map((f, i) => source.columns[i]?.name ?? f.userName);
}

function aggregateState(id: string, aggregates: readonly { fn: string; distinct: boolean }[], input: ChangelogKind): StateTableDecl[] {
  const state: StateTableDecl[] = [{ name: `${id}_groups`, purpose: 'one row of accumulators per group' }];
  aggregates.forEach((a, i) => {
    if (needsMultiset(a, input)) state.push({ name: `${id}_values${i}`, purpose: `values of ${a.fn} per group, with multiplicity` });
  });
  return state;
}

/** Aggregates whose value cannot be kept as an accumulator and must keep the values they saw. */
export function needsMultiset(a: { fn: string; distinct: boolean }, input: ChangelogKind): boolean {
  if (a.fn === 'min' || a.fn === 'max') return input === 'retracting';
  return a.distinct;
}

/** The key of a node's rows, as its field names, where one is known. */
function keyOf(node: IncrementalNode): readonly string[] | null {
  switch (node.kind) {
    case 'aggregate':
      return node.fields.slice(0, node.keys.length).map((f) => f.name);
    case 'map': {
      const inner = keyOf(node.input);
      if (inner === null) return null;
      if (node.exprs === null) return inner;
      const out: string[] = [];
      for (const k of inner) {
        const i = node.exprs.findIndex((e) => e === `"${k.replaceAll('"', '""')}"`);
        if (i < 0) return null;
        out.push(node.fields[i]!.name);
      }
      return out;
    }
    default:
      return null;
  }
}

export function planIncremental(root: LogicalNode, options: PlanOptions): IncrementalPlan {
  const planner = new Planner(options.catalog);
  let order: ResultOrder | null = null;
  let body = root;
  if (root.kind === 'sort_limit') {
    order = { orderBy: root.orderBy, limit: root.limit, offset: root.offset };
    body = root.input;
  }
  const planned = planner.plan(body);
  if ('static' in planned) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `"${options.name}" reads no source, so it would never change`, {
      hint: 'a continuous query must read at least one source; for a query over tables only, use CREATE VIEW or a SELECT',
    });
  }
  const stream = planned.stream;
  const outputMode = checkOutputMode(options.name, stream, order !== null, options.outputMode);
  const key = keyOf(stream);
  const fieldNames = new Map(stream.fields.map((f) => [f.name, f.userName]));
  const columns = stream.fields.map((f) => ({ name: f.userName, type: f.type }));
  const operators = topologicalOrder(stream);
  const partial = {
    columns, changelog: stream.changelog, allowedOutputModes: allowedOutputModes(stream), outputMode,
    key: key === null ? null : key.map((k) => fieldNames.get(k) ?? k),
    sources: [...planner.sources], tables: [...planner.tables], root: stream, operators, order,
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(columns)).update(explainOps(operators)).digest('hex').slice(0, 16);
  return { ...partial, fingerprint };
}

export { explainIncremental } from './explain.js';
