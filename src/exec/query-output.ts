/**
 * Where a batch's output goes (IncrementalPlan.keepsResultTable, sinkDelivery): the result table
 * (materialized views, complete-mode sinks), the outbox (sinks, delivered after the batch's
 * transaction and again after a crash), or straight to the sink from the batch's output delta.
 */
import type { Connection } from '../duck/index.js';
import { quoteIdent } from '../duck/quote.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { sortLimitClause } from '../plan/incremental/static-sql.js';
import type { Change } from './changes.js';
import { columnDefs, columnsMatch } from './operators/rule.js';
import { applyDeltaSql } from './result-table.js';
import type { StateStore } from './state-store.js';
import type { BatchFrontier } from './epochs.js';
import type { ViewLog } from './view-log.js';

const q = quoteIdent;

export class QueryOutput {
  /** Qualified name of the result table (readable from any connection of the database). */
  readonly resultTable: string;
  private readonly outbox: string;
  /** The root's fields (the columns of its delta), quoted. */
  private readonly fields: readonly string[];
  /** `"field" AS "column"` for each result column. */
  private readonly asColumns: string;

  /** `log`: a materialized view's log of its output changes (view-log.ts); null for a sink. */
  constructor(private readonly plan: IncrementalPlan, store: StateStore, readonly log: ViewLog | null = null) {
    this.resultTable = store.table('result');
    this.outbox = store.table('__outbox');
    this.fields = plan.root.fields.map((f) => q(f.name));
    this.asColumns = plan.root.fields.map((f, i) => `${q(f.name)} AS ${q(plan.columns[i]!.name)}`).join(', ');
  }

  get keepsResultTable(): boolean {
    return this.plan.keepsResultTable;
  }

  get hasOutbox(): boolean {
    return this.plan.sinkDelivery === 'outbox';
  }

  /** DDL of the result table and the outbox, where the plan keeps them. */
  setupSql(): string[] {
    const ddl: string[] = [];
    if (this.plan.keepsResultTable) ddl.push(`CREATE TABLE IF NOT EXISTS ${this.resultTable} (${columnDefs(this.plan.columns)})`);
    if (this.log) ddl.push(...this.log.setupSql());
    if (this.hasOutbox) ddl.push(`CREATE TABLE IF NOT EXISTS ${this.outbox} (__batch BIGINT, ${columnDefs(this.plan.root.fields)}, __op INTEGER)`);
    return ddl;
  }

  /**
   * The statements applying the root's delta `rootDelta` to the result table and the outbox, and
   * the relation holding the batch's net changes (readable until the next batch).
   */
  applySql(batchId: number, rootDelta: string, frontier: BatchFrontier | null = null): { statements: string[]; delta: string } {
    const statements: string[] = [];
    let delta = rootDelta;
    if (this.plan.root.changelog === 'retracting') {
      // A retracting delta may hold a row's insert and delete together (e.g. a join of two changing
      // inputs); cancel them so that the result table and the sink see each net change once.
      const consolidated = q('t_output');
      statements.push(`CREATE OR REPLACE TEMP TABLE ${consolidated} AS SELECT ${this.fields.join(', ')}, sum(__op)::INTEGER AS __op FROM ${delta} GROUP BY ALL HAVING sum(__op) <> 0`);
      delta = consolidated;
    }
    // before the result table's statements, one of which the batch may read a count from (batch-pipeline.ts)
    if (this.log) statements.push(...this.log.batchSql(batchId, `SELECT ${this.asColumns}, __op FROM ${delta}`, frontier));
    const insertsOnly = this.plan.root.changelog === 'append-only';
    const fieldNames = this.plan.root.fields.map((f) => f.name);
    if (this.plan.keepsResultTable) statements.push(...applyDeltaSql(this.resultTable, this.plan.columns.map((c) => c.name), delta, fieldNames, insertsOnly, this.plan.key));
    if (this.hasOutbox) statements.push(this.outboxInsert(batchId, delta));
    return { statements, delta };
  }

  /**
   * The relation the sink reads batch N from, with the result's column names: a copy of its outbox
   * rows, or (delivered from the output) a view of the batch's output delta, which `delta` names.
   */
  async stage(conn: Connection, batchId: number, delta: string | null): Promise<string> {
    const staged = q('sink_batch');
    if (!this.hasOutbox) {
      if (delta === null) throw new Error(`batch ${batchId} has no output relation to deliver from`);
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${staged} AS SELECT ${this.asColumns}, __op FROM ${delta}`);
    } else {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT ${this.asColumns}, __op FROM ${this.outbox} WHERE __batch = ${batchId}`);
    }
    return staged;
  }

  /** Deletes the outbox rows of batches up to N, once commits/N is written. */
  async clear(conn: Connection, batchId: number): Promise<void> {
    if (this.hasOutbox) await conn.run(`DELETE FROM ${this.outbox} WHERE __batch <= ${batchId}`);
  }

  /** The changes in a delta relation, with the result's column names: one entry per unit of weight. */
  async readChanges(conn: Connection, delta: string): Promise<Change[]> {
    const rows = await conn.objects<Record<string, unknown>>(`SELECT ${this.asColumns}, __op FROM ${delta} ORDER BY __op`);
    const changes: Change[] = [];
    for (const { __op, ...row } of rows) {
      const weight = Number(__op);
      for (let i = 0; i < Math.abs(weight); i++) changes.push({ op: weight > 0 ? 'insert' : 'delete', row });
    }
    return changes;
  }

  /** The whole result table (materialized views, complete-mode sinks); nothing where none is kept. */
  async snapshot(conn: Connection): Promise<Record<string, unknown>[]> {
    if (!this.plan.keepsResultTable) return [];
    return conn.objects<Record<string, unknown>>(`SELECT * FROM ${this.resultTable}`);
  }

  private outboxInsert(batchId: number, delta: string): string {
    const cols = this.fields.join(', ');
    switch (this.plan.outputMode) {
      case 'append':
      case 'changelog':
        return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, __op FROM ${delta}`;
      case 'update': {
        const key = this.plan.keyFields;
        if (key === null) return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, __op FROM ${delta}`;
        return (
          `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, 1 FROM ${delta} WHERE __op > 0 UNION ALL ` +
          `SELECT ${batchId}, ${this.fields.map((f) => `d.${f}`).join(', ')}, -1 FROM ${delta} AS d ` +
          `ANTI JOIN (SELECT * FROM ${delta} WHERE __op > 0) AS u ON ${columnsMatch('d', 'u', key)} WHERE d.__op < 0`
        );
      }
      case 'complete': {
        const renamed = this.plan.columns.map((c, i) => `${q(c.name)} AS ${this.fields[i]}`).join(', ');
        const order = this.plan.order ? sortLimitClause(this.plan.order.orderBy, this.plan.order.limit, this.plan.order.offset) : '';
        return `INSERT INTO ${this.outbox} SELECT ${batchId}, ${cols}, 1 FROM (SELECT * FROM (SELECT ${renamed} FROM ${this.resultTable}) AS r${order})`;
      }
    }
  }
}
