/**
 * The SQL side of a StreamingQuery: names every relation, creates state and delta relations, and
 * runs one batch's operators in order, applying the root delta to the result table (materialized
 * views, complete-mode sinks) and to the outbox (sinks).
 */
import type { SourceObject } from '../catalog/types.js';
import type { Connection } from '../duck/index.js';
import { quoteIdent, quoteLiteral } from '../duck/quote.js';
import { inputsOfOp as inputsOf, type IncrementalNode } from '../plan/incremental/nodes.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { sortLimitClause } from '../plan/incremental/static-sql.js';
import { ruleFor, sourceBatchTable } from './operators/index.js';
import { columnDefs, columnsMatch, fieldType, watermarkSql, type RuleNames, type WatermarkAdvance } from './operators/rule.js';
import { lateRow } from './operators/source-scan.js';
import type { StateOperatorProgress } from './progress.js';
import { applyDeltaSql } from './result-table.js';
import type { StateStore } from './state-store.js';

const q = quoteIdent;

/** A source's batch table is made anew once this many rows went through it (see clearSourceTable). */
const REMAKE_AFTER_ROWS = 10_000;

/** One row's change, as subscribers see it. */
export interface Change {
  readonly op: 'insert' | 'delete';
  readonly row: Readonly<Record<string, unknown>>;
}

export class BatchPipeline {
  readonly resultTable: string;
  private readonly outbox: string;
  private readonly keepsResult: boolean;
  /** Per source: the columns the plan reads (columnsRead). */
  private readonly readColumns = new Map<string, ReadonlySet<string> | undefined>();
  /** Per in-place source: the SELECT its batch view shows now. */
  private readonly inPlaceViews = new Map<string, string>();
  /** Per source: rows loaded into its batch table since the table was made. */
  private readonly rowsSinceMade = new Map<string, number>();
  /** The watermark of the last batch run on this connection (WatermarkAdvance.previous). */
  private previousWatermark: number | null | undefined = undefined;
  /** The state tables of the plan's stateful operators, counted after each batch. */
  private readonly stateTables: readonly string[];
  /** Each state table's rows after the last batch (counted by its last statement). */
  private stateRows = new Map<string, number>();
  /** Bytes per row of each state table, read once (the tables' columns do not change). */
  private rowWidths: Map<string, number> | undefined;


  /** The rows of the plan's largest state table after the last batch (0 without state). */
  get largestStateRows(): number {
    return Math.max(0, ...this.stateRows.values());
  }

  get keepsResultTable(): boolean {
    return this.keepsResult;
  }

  /**
   * A sink whose plan keeps no state delivers each batch straight from the batch's output: re-running
   * batch N from offsets/N gives the same rows again, so recovery re-runs it instead of reading an
   * outbox, and the outbox (a copy of every output row into the state database, and its clean-up)
   * is not needed. Stateful plans cannot re-run a batch once its state is committed: they keep it.
   */
  readonly deliversFromOutput: boolean;
  private readonly root: IncrementalNode;

  /**
   * `inPlace`: the sources whose batches are read where their rows are stored (SourceReader.inPlace):
   * their batch relation is a view, made anew for each batch by readInPlace, not a table.
   */
  constructor(
    readonly plan: IncrementalPlan,
    private readonly store: StateStore,
    private readonly sources: ReadonlyMap<string, SourceObject>,
    private readonly kind: 'view' | 'sink',
    private readonly inPlace: ReadonlySet<string> = new Set(),
  ) {
    this.root = plan.root;
    this.resultTable = store.table('result');
    this.outbox = store.table('__outbox');
    this.keepsResult = kind === 'view' || plan.outputMode === 'complete';
    this.stateTables = plan.operators.flatMap((node) => node.state.map((s) => s.name));
    for (const source of sources.keys()) this.readColumns.set(source, columnsReadOf(plan, sources.get(source)!));
    this.deliversFromOutput = kind === 'sink' && !this.keepsResult && plan.operators.every((op) => op.state.length === 0)
      && (plan.outputMode === 'append' || plan.outputMode === 'changelog');
  }

  sourceTable(source: string): string {
    return sourceBatchTable(source);
  }

  /**
   * Empties a source's batch table. DELETE leaves the rows behind as deleted rows, which later scans
   * step over and DuckDB's optimizer still counts (a small batch after a big one was planned as if it
   * were big), so once many rows were loaded since it was made the table is made anew instead; for
   * the small batches in between, DELETE is the cheaper statement. An in-place source's relation
   * becomes an empty view.
   */
  async clearSourceTable(conn: Connection, source: string): Promise<void> {
    if (this.inPlace.has(source)) {
      const columns = this.sources.get(source)!.columns.map((c) => `NULL::${c.type} AS ${q(c.name)}`).join(', ');
      await this.readInPlace(conn, source, `SELECT ${columns} WHERE FALSE`);
      return;
    }
    const loaded = this.rowsSinceMade.get(source);
    if (loaded !== undefined && loaded < REMAKE_AFTER_ROWS) {
      await conn.run(`DELETE FROM ${sourceBatchTable(source)}`);
      return;
    }
    const columns = this.sources.get(source)!.columns;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${sourceBatchTable(source)} (${columnDefs(columns)})`);
    this.rowsSinceMade.set(source, 0);
  }

  /**
   * Makes a source's batch relation the rows `select` reads where they are stored (an in-place
   * source). An idle source's range, and so its view, stays the same from batch to batch: not remade.
   */
  async readInPlace(conn: Connection, source: string, select: string): Promise<void> {
    if (this.inPlaceViews.get(source) === select) return;
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${sourceBatchTable(source)} AS ${select}`);
    this.inPlaceViews.set(source, select);
  }

  /** Counts rows loaded into a source's batch table (clearSourceTable decides how to empty it). */
  sourceRowsLoaded(source: string, rows: number): void {
    this.rowsSinceMade.set(source, (this.rowsSinceMade.get(source) ?? 0) + rows);
  }

  /**
   * The columns of a source that the plan reads, its event-time column included; undefined when it
   * reads all of them.
   */
  columnsRead(source: string): ReadonlySet<string> | undefined {
    return this.readColumns.get(source);
  }

  private names(node: IncrementalNode, batchId = 0, watermark: WatermarkAdvance = { current: null, previous: undefined }): RuleNames {
    const inputs = inputsOf(node).map((i) => q(`d_${i.id}`));
    return {
      inputs,
      output: q(`d_${node.id}`),
      state: (table) => this.store.table(table),
      scratch: (suffix) => q(`t_${node.id}_${suffix}`),
      watermark,
      batchId,
    };
  }

  /** Creates state tables (if new) and this connection's delta relations. */
  async setup(conn: Connection): Promise<void> {
    this.inPlaceViews.clear();
    this.previousWatermark = undefined;
    await conn.run(`CREATE TABLE IF NOT EXISTS ${this.lateRowsTable} (query VARCHAR, source VARCHAR, batch BIGINT, source_offset VARCHAR, watermark TIMESTAMP, "row" JSON)`);
    this.rowsSinceMade.clear();
    for (const name of this.sources.keys()) await this.clearSourceTable(conn, name);
    for (const node of this.plan.operators) {
      const rule = ruleFor(node);
      const names = this.names(node);
      await conn.runAll(rule.createState(node, names));
      await conn.runAll(rule.setup(node, names));
    }
    if (this.keepsResult) await conn.run(`CREATE TABLE IF NOT EXISTS ${this.resultTable} (${columnDefs(this.plan.columns)})`);
    if (this.kind === 'sink' && !this.deliversFromOutput) {
      await conn.run(`CREATE TABLE IF NOT EXISTS ${this.outbox} (__batch BIGINT, ${columnDefs(this.root.fields)}, __op INTEGER)`);
    }
  }

  /**
   * Runs the batch's operators and applies the output, all in one call to DuckDB (a call costs
   * ~0.1 ms beyond its statements; a small batch has 20-35 statements). Returns the number of output
   * rows (null when the sink will count them) and the relation holding the batch's net changes
   * (readable until the next batch). `watermark` is the batch's (epoch microseconds, or null),
   * `next` the one the next batch will run with (WatermarkAdvance.next).
   */
  async run(conn: Connection, batchId: number, watermark: number | null, next: number | null): Promise<{ rows: number | null; delta: string }> {
    const statements: string[] = [];
    const micros = (w: number | null): number | null => (w === null ? null : Math.trunc(w));
    const wm = micros(watermark);
    const advance: WatermarkAdvance = { current: wm, previous: this.previousWatermark, next: micros(next) };
    for (const node of this.plan.operators) statements.push(...ruleFor(node).step(node, this.names(node, batchId, advance)));
    const fields = this.root.fields.map((f) => f.name);
    let delta = q(`d_${this.root.id}`);
    if (this.root.changelog === 'retracting') {
      // A retracting delta may hold a row's insert and delete together (e.g. a join of two changing
      // inputs); cancel them so that the result table and the sink see each net change once.
      const consolidated = q('t_output');
      const cols = fields.map(q).join(', ');
      statements.push(`CREATE OR REPLACE TEMP TABLE ${consolidated} AS SELECT ${cols}, sum(__op)::INTEGER AS __op FROM ${delta} GROUP BY ALL HAVING sum(__op) <> 0`);
      delta = consolidated;
    }
    const insertsOnly = this.root.changelog === 'append-only';
    if (this.keepsResult) statements.push(...applyDeltaSql(this.resultTable, this.plan.columns.map((c) => c.name), delta, fields, insertsOnly, this.plan.key));
    if (this.kind === 'sink' && !this.deliversFromOutput) statements.push(this.outboxInsert(batchId, delta));

    // The batch's last statement reads the output's row count (a sink delivering from the output
    // counts the rows it is given: null saves a scan) and each state table's rows, for progress.
    const states = this.stateTables;
    let rows: number | null = null;
    if (states.length === 0 && this.deliversFromOutput) {
      await conn.runAll(statements);
    } else if (states.length === 0 && this.keepsResult && insertsOnly && this.kind === 'view') {
      // the INSERT of the delta into the result table is the last statement: its count is the rows
      rows = Number((await conn.runAllThenQuery(statements.slice(0, -1), statements.at(-1)!)).rows[0]?.[0] ?? 0);
    } else {
      // One row per count, tagged (UNION ALL keeps no order): half the cost of one row of scalar
      // subqueries, which DuckDB plans as a chain of cross products (q5's six counts 1.4 -> 0.7 ms).
      const relations = [...(this.deliversFromOutput ? [] : [delta]), ...states.map((t) => this.store.table(t))];
      const counts = relations.map((r, i) => `SELECT ${i} AS i, count(*) AS n FROM ${r}`).join(' UNION ALL ');
      const result = await conn.runAllThenQuery(statements, counts);
      const byTag = new Map(result.rows.map((r) => [Number(r[0]), Number(r[1] ?? 0)]));
      const first = this.deliversFromOutput ? 0 : 1;
      if (!this.deliversFromOutput) rows = byTag.get(0) ?? 0;
      this.stateRows = new Map(states.map((t, i) => [t, byTag.get(i + first) ?? 0]));
    }
    this.previousWatermark = wm;
    return { rows, delta };
  }

  /**
   * Forgets the previous batch's watermark: a failed batch's rollback restored state and views as
   * they were before some earlier batch, so the next one evicts and remakes them all.
   */
  batchFailed(): void {
    this.previousWatermark = undefined;
  }

  /** Where late rows are kept (late_rows = 'keep'), in the query's state database. */
  get lateRowsTable(): string {
    return this.store.table('late_rows');
  }

  /**
   * With late_rows = 'keep' and `count` late rows in a source's batch table (event time below the
   * watermark), the statement that stores them, to run inside the batch's transaction; else null.
   */
  keepLateRowsSql(query: string, source: string, batchId: number, offset: unknown, count: number, watermark: number | null): string | null {
    const object = this.sources.get(source);
    const def = object?.watermark;
    if (!object || !def || count === 0) return null;
    const table = sourceBatchTable(source);
    const wm = watermarkSql(watermark);
    const late = lateRow(def.column, fieldType(object.columns, def.column), wm);
    return (
      `INSERT INTO ${this.lateRowsTable} SELECT ${quoteLiteral(query)}, ${quoteLiteral(source)}, ${batchId}, ${quoteLiteral(JSON.stringify(offset))}, ` +
      `make_timestamp(${wm}), to_json(s) FROM ${table} AS s WHERE ${late}`
    );
  }

  /** The changes in a delta relation, with the result's column names: one entry per unit of weight. */
  async readChanges(conn: Connection, delta: string): Promise<Change[]> {
    const cols = this.root.fields.map((f, i) => `${q(f.name)} AS ${q(this.plan.columns[i]!.name)}`).join(', ');
    const rows = await conn.objects<Record<string, unknown>>(`SELECT ${cols}, __op FROM ${delta} ORDER BY __op`);
    const changes: Change[] = [];
    for (const { __op, ...row } of rows) {
      const weight = Number(__op);
      for (let i = 0; i < Math.abs(weight); i++) changes.push({ op: weight > 0 ? 'insert' : 'delete', row });
    }
    return changes;
  }

  /** The whole result table (materialized views, complete-mode sinks). */
  async readResult(conn: Connection): Promise<Record<string, unknown>[]> {
    return conn.objects<Record<string, unknown>>(`SELECT * FROM ${this.resultTable}`);
  }

  private outboxInsert(batchId: number, delta: string): string {
    const fields = this.root.fields.map((f) => q(f.name));
    const cols = fields.join(', ');
    switch (this.plan.outputMode) {
      case 'append':
      case 'changelog':
        return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, __op FROM ${delta}`;
      case 'update': {
        const key = this.plan.key === null ? null : keyFields(this.plan, this.root);
        if (key === null) return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, __op FROM ${delta}`;
        return (
          `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, 1 FROM ${delta} WHERE __op > 0 UNION ALL ` +
          `SELECT ${batchId}, ${fields.map((f) => `d.${f}`).join(', ')}, -1 FROM ${delta} AS d ` +
          `ANTI JOIN (SELECT * FROM ${delta} WHERE __op > 0) AS u ON ${columnsMatch('d', 'u', key)} WHERE d.__op < 0`
        );
      }
      case 'complete': {
        const renamed = this.plan.columns.map((c, i) => `${q(c.name)} AS ${fields[i]}`).join(', ');
        const order = this.plan.order ? sortLimitClause(this.plan.order.orderBy, this.plan.order.limit, this.plan.order.offset) : '';
        return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, 1 FROM (SELECT * FROM (SELECT ${renamed} FROM ${this.resultTable}) AS r${order})`;
      }
    }
  }

  /**
   * The relation the sink reads batch N from, with the result's column names: a copy of its outbox
   * rows, or (deliversFromOutput) a view of the batch's output delta, which `delta` names.
   */
  async stageOutbox(conn: Connection, batchId: number, delta: string | null): Promise<string> {
    const staged = q('sink_batch');
    const cols = this.root.fields.map((f, i) => `${q(f.name)} AS ${q(this.plan.columns[i]!.name)}`).join(', ');
    if (this.deliversFromOutput) {
      if (delta === null) throw new Error(`batch ${batchId} has no output relation to deliver from`);
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${staged} AS SELECT ${cols}, __op FROM ${delta}`);
    } else {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT ${cols}, __op FROM ${this.outbox} WHERE __batch = ${batchId}`);
    }
    return staged;
  }

  async clearOutbox(conn: Connection, batchId: number): Promise<void> {
    if (!this.deliversFromOutput) await conn.run(`DELETE FROM ${this.outbox} WHERE __batch <= ${batchId}`);
  }

  /** Each stateful operator's state after the last batch: rows (counted by the batch) and bytes. */
  async stateProgress(conn: Connection): Promise<StateOperatorProgress[]> {
    const stateful = this.plan.operators.filter((node) => node.state.length > 0);
    if (stateful.length === 0) return [];
    this.rowWidths ??= await this.store.rowWidths(conn, this.stateTables);
    return stateful.map((node) => {
      const rows = node.state.reduce((n, s) => n + (this.stateRows.get(s.name) ?? 0), 0);
      const bytes = node.state.reduce((n, s) => n + (this.stateRows.get(s.name) ?? 0) * (this.rowWidths!.get(s.name) ?? 0), 0);
      return { operatorName: `${node.id} ${node.kind}`, numRowsTotal: rows, numRowsUpdated: 0, numRowsRemoved: 0, numRowsDroppedByWatermark: 0, memoryUsedBytes: bytes };
    });
  }
}

function columnsReadOf(plan: IncrementalPlan, source: SourceObject): ReadonlySet<string> | undefined {
  const read = new Set<string>();
  for (const op of plan.operators) {
    if (op.kind !== 'source_scan' || op.source !== source.name) continue;
    if (op.columnsRead === null) return undefined;
    for (const c of op.columnsRead) read.add(c);
    if (op.lateRowsColumn !== null) read.add(op.lateRowsColumn);
  }
  if (source.watermark) read.add(source.watermark.column);
  return read;
}

/** The plan's key as field names of the root delta. */
function keyFields(plan: IncrementalPlan, root: IncrementalNode): string[] {
  return (plan.key ?? []).map((k) => root.fields[plan.columns.findIndex((c) => c.name === k)]!.name);
}
