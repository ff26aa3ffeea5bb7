/**
 * The SQL of a batch's transaction (step 4), sent to DuckDB in one call: every operator's step in
 * topological order, the root delta applied to the result table and the outbox (QueryOutput), and
 * a last SELECT counting the output rows and the state (StateCounts), for progress.
 */
import type { Connection } from '../duck/index.js';
import { quoteIdent } from '../duck/quote.js';
import { inputsOfOp as inputsOf, type IncrementalNode } from '../plan/incremental/nodes.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { ruleFor } from './operators/index.js';
import type { RuleNames, WatermarkAdvance } from './operators/rule.js';
import type { QueryOutput } from './query-output.js';
import { StateCounts, type CountRow } from './state-counts.js';
import type { StateStore } from './state-store.js';
import type { BatchFrontier } from './epochs.js';

const q = quoteIdent;

/** What a batch's operators produced. */
export interface BatchOutput {
  /** The output rows, or null when the sink counts them (it is given them straight from the delta). */
  readonly rows: number | null;
  /** The relation holding the batch's net changes (readable until the next batch). */
  readonly delta: string;
}

export class BatchPipeline {
  readonly state: StateCounts;
  /** The watermark of the last batch run on this connection (WatermarkAdvance.previous). */
  private previousWatermark: number | null | undefined = undefined;

  constructor(
    private readonly plan: IncrementalPlan,
    private readonly store: StateStore,
    private readonly output: QueryOutput,
  ) {
    this.state = new StateCounts(plan, store);
  }

  private names(node: IncrementalNode, batchId = 0, watermark: WatermarkAdvance = { current: null, previous: undefined }): RuleNames {
    return {
      inputs: inputsOf(node).map((i) => q(`d_${i.id}`)),
      output: q(`d_${node.id}`),
      state: (table) => this.store.table(table),
      scratch: (suffix) => q(`t_${node.id}_${suffix}`),
      watermark,
      batchId,
    };
  }

  /** Creates state tables (if new), the result table and outbox, this connection's delta relations; counts the state. */
  async setup(conn: Connection): Promise<void> {
    this.previousWatermark = undefined;
    for (const node of this.plan.operators) {
      const rule = ruleFor(node);
      const names = this.names(node);
      await conn.runAll(rule.createState(node, names));
      await conn.runAll(rule.setup(node, names));
    }
    await conn.runAll(this.output.setupSql());
    await this.state.load(conn);
  }

  /**
   * Runs the batch's operators and applies the output, all in one call to DuckDB (a call costs
   * ~0.1 ms beyond its statements; a small batch has 20-35 statements). `watermark` is the batch's
   * (epoch microseconds, or null), `next` the one the next batch will run with (WatermarkAdvance.next).
   */
  async run(conn: Connection, batchId: number, watermark: number | null, next: number | null, frontier: BatchFrontier | null = null): Promise<BatchOutput> {
    const micros = (w: number | null): number | null => (w === null ? null : Math.trunc(w));
    const wm = micros(watermark);
    const advance: WatermarkAdvance = { current: wm, previous: this.previousWatermark, next: micros(next) };
    const names = (node: IncrementalNode): RuleNames => this.names(node, batchId, advance);
    const statements = this.plan.operators.flatMap((node) => ruleFor(node).step(node, names(node)));
    const applied = this.output.applySql(batchId, q(`d_${this.plan.root.id}`), frontier);
    statements.push(...applied.statements);
    const delta = applied.delta;

    // The batch's last statement reads the output's row count (a sink delivering from the output
    // counts the rows it is given: null saves a scan) and the state's counts, for progress.
    const stateful = this.state.tables.length > 0;
    const countsOutput = this.plan.sinkDelivery !== 'output';
    let rows: number | null = null;
    if (!stateful && !countsOutput) {
      await conn.runAll(statements);
    } else if (!stateful && this.plan.sinkDelivery === null && this.plan.root.changelog === 'append-only') {
      // the INSERT of the delta into the result table is the last statement: its count is the rows
      rows = Number((await conn.runAllThenQuery(statements.slice(0, -1), statements.at(-1)!)).rows[0]?.[0] ?? 0);
    } else {
      // One row per count, tagged (UNION ALL keeps no order): half the cost of one row of scalar
      // subqueries, which DuckDB plans as a chain of cross products (q5's six counts 1.4 -> 0.7 ms).
      const first = countsOutput ? 1 : 0;
      const counts = [...(countsOutput ? [`SELECT 0 AS i, count(*) AS n, 0 AS m FROM ${delta}`] : []), ...this.state.countsSql(first, names)];
      const result = await conn.runAllThenQuery(statements, counts.join(' UNION ALL '));
      const byTag = new Map(result.rows.map((r): [number, CountRow] => [Number(r[0]), [Number(r[0]), Number(r[1] ?? 0), Number(r[2] ?? 0)]]));
      if (countsOutput) rows = byTag.get(0)?.[1] ?? 0;
      this.state.counted(first, byTag);
    }
    this.previousWatermark = wm;
    return { rows, delta };
  }

  /** The batch's transaction committed. */
  committed(): void {
    this.state.committed();
  }

  /**
   * The batch failed: its rollback restored state and views as they were before some earlier batch,
   * so the next one evicts and remakes them all (the previous watermark is forgotten).
   */
  failed(): void {
    this.previousWatermark = undefined;
    this.state.discarded();
  }
}
