/**
 * The rows of each state table, and what each batch wrote into them, for progress (Spark's
 * StateOperatorProgress). Counted by the batch's last statement (BatchPipeline.run), so a batch pays
 * no scan of its own for them: each table's rows after the batch, and the rows the operator's rule
 * knows it inserted and rewrote (OperatorRule.stateWrites); the rows it removed, retracted or evicted,
 * follow as before + inserted - after.
 */
import type { Connection } from '../duck/index.js';
import type { IncrementalNode } from '../plan/incremental/nodes.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { ruleFor, type RuleNames } from './operators/index.js';
import type { StateStore } from './state-store.js';

/** One row of the last statement: a tag, then two counts. */
export type CountRow = readonly [tag: number, n: number, m: number];

interface Writes {
  readonly inserted: number;
  readonly updated: number;
}

/** A batch's counts, from its last statement. */
interface Counted {
  readonly rows: ReadonlyMap<string, number>;
  readonly writes: ReadonlyMap<string, Writes>;
}

/** What progress reports of one stateful operator after a batch (progress.ts names it). */
export interface OperatorState {
  readonly rows: number;
  /** Rows inserted or rewritten in state (of the tables its rule counts writes of). */
  readonly updated: number;
  /** Rows that left the state: retracted, evicted, consolidated away (of the same tables). */
  readonly removed: number;
  readonly bytes: number;
}

export class StateCounts {
  /** Every state table of the plan, unqualified. */
  readonly tables: readonly string[];
  /** Each table's rows after the last committed batch (or as found at setup). */
  private rows = new Map<string, number>();
  /** The last committed batch's counts, and the rows before it. */
  private last: Counted & { readonly before: ReadonlyMap<string, number> } | null = null;
  /** Counts of the batch in flight, until its transaction commits. */
  private pending: Counted | null = null;
  /** Bytes per row of each state table, read once (the tables' columns do not change). */
  private rowWidths: Map<string, number> | undefined;
  /** The tables whose writes the last countsSql counts, in the order of its branches. */
  private writesCounted: readonly string[] = [];

  constructor(private readonly plan: IncrementalPlan, private readonly store: StateStore) {
    this.tables = plan.stateOperators.flatMap((op) => op.node.state.map((s) => s.name));
  }

  /** Counts the state as it is (at setup): the rows before the first batch. */
  async load(conn: Connection): Promise<void> {
    if (this.tables.length === 0) return;
    const result = await conn.query(this.tables.map((t, i) => `SELECT ${i} AS i, count(*) AS n FROM ${this.store.table(t)}`).join(' UNION ALL '));
    const byTag = new Map(result.rows.map((r) => [Number(r[0]), Number(r[1] ?? 0)]));
    this.rows = new Map(this.tables.map((t, i) => [t, byTag.get(i) ?? 0]));
  }

  /**
   * The branches of the last statement that count state, tagged from `first` on (UNION ALL keeps no
   * order): each table's rows, then what each rule wrote. `names` gives each operator its relations.
   */
  countsSql(first: number, names: (node: IncrementalNode) => RuleNames): string[] {
    const counts = this.tables.map((t, i) => `SELECT ${first + i} AS i, count(*) AS n, 0 AS m FROM ${this.store.table(t)}`);
    const writes = this.plan.stateOperators.flatMap(({ node }) => ruleFor(node).stateWrites(node, names(node)));
    writes.forEach((w, i) => counts.push(`SELECT ${first + this.tables.length + i} AS i, inserted AS n, updated AS m FROM (${w.sql})`));
    this.writesCounted = writes.map((w) => w.table);
    return counts;
  }

  /** Takes the batch's counts from the rows of its last statement (tagged as countsSql made them). */
  counted(first: number, byTag: ReadonlyMap<number, CountRow>): void {
    const rows = new Map(this.tables.map((t, i) => [t, byTag.get(first + i)?.[1] ?? 0]));
    const writes = new Map(this.writesCounted.map((table, i) => {
      const row = byTag.get(first + this.tables.length + i);
      return [table, { inserted: row?.[1] ?? 0, updated: row?.[2] ?? 0 }];
    }));
    this.pending = { rows, writes };
  }

  /** The batch's transaction committed: its counts are the state's. */
  committed(): void {
    if (this.pending === null) return;
    this.last = { ...this.pending, before: this.rows };
    this.rows = new Map(this.pending.rows);
    this.pending = null;
  }

  /** The batch's transaction rolled back: the state is as the last committed batch left it. */
  discarded(): void {
    this.pending = null;
  }

  /** The rows of the plan's largest state table after the last batch (0 without state). */
  get largestRows(): number {
    return Math.max(0, ...this.rows.values());
  }

  /** Each stateful operator's state after the last committed batch, in plan order. */
  async operators(conn: Connection): Promise<OperatorState[]> {
    if (this.plan.stateOperators.length === 0) return [];
    this.rowWidths ??= await this.store.rowWidths(conn, this.tables);
    const last = this.last;
    return this.plan.stateOperators.map(({ node }) => {
      let rows = 0;
      let bytes = 0;
      let updated = 0;
      let removed = 0;
      for (const { name } of node.state) {
        const after = this.rows.get(name) ?? 0;
        rows += after;
        bytes += after * (this.rowWidths!.get(name) ?? 0);
        const writes = last?.writes.get(name);
        if (!writes) continue;
        updated += writes.inserted + writes.updated;
        removed += (last!.before.get(name) ?? 0) + writes.inserted - after;
      }
      return { rows, updated, removed, bytes };
    });
  }
}
