/**
 * The query's watermark (DESIGN.md §4): after batch N, each watermarked source's watermark is the
 * maximum over its rows so far of its WATERMARK expression (e.g. `date_time - INTERVAL '4' SECOND`);
 * the query's watermark, used from batch N+1, is the minimum over its watermarked sources, unknown
 * until each of them has seen a row, and it never goes back.
 */
import type { InputObject } from '../catalog/types.js';
import type { Connection } from '../duck/index.js';
import { quoteIdent } from '../duck/quote.js';
import type { WatermarkDef } from '../sql/ast.js';
import { fieldType, watermarkSql } from './operators/rule.js';
import { lateRow } from './operators/source-scan.js';

/** What the checkpoint keeps of event time (epoch microseconds). */
export interface EventTimeState {
  readonly watermark: number | null;
  readonly sources: Readonly<Record<string, number>>;
}

export interface BatchEventTime {
  readonly min: number | null;
  readonly max: number | null;
  /** Rows below the batch's watermark (late), counted in the same scan. */
  readonly late: number;
}

export class WatermarkTracker {
  private watermarkMicros: number | null = null;
  private readonly sourceMarks = new Map<string, number>();

  constructor(private readonly sources: ReadonlyMap<string, InputObject>) {}

  /** The watermark of the next batch. */
  get watermark(): number | null {
    return this.watermarkMicros;
  }

  /** The sources whose event time the watermark follows. */
  get watermarked(): string[] {
    return [...this.sources.values()].filter((s) => s.kind === 'source' && s.watermark !== null).map((s) => s.name);
  }

  restore(state: EventTimeState | undefined): void {
    this.sourceMarks.clear();
    this.watermarkMicros = state?.watermark ?? null;
    for (const [name, mark] of Object.entries(state?.sources ?? {})) this.sourceMarks.set(name, mark);
  }

  snapshot(): EventTimeState {
    return { watermark: this.watermarkMicros, sources: Object.fromEntries(this.sourceMarks) };
  }

  /**
   * Reads a batch's rows of one source (in `table`): its event-time range and the rows below
   * `batchWatermark` (the batch's watermark, epoch microseconds), and raises the source's watermark.
   */
  async observe(conn: Connection, source: string, table: string, batchWatermark: number | null): Promise<BatchEventTime> {
    const object = this.sources.get(source);
    const def = object?.kind === 'source' ? object.watermark : null;
    if (!object || !def) return { min: null, max: null, late: 0 };
    const time = quoteIdent(def.column);
    const type = fieldType(object.columns, def.column);
    const lateCount = batchWatermark === null ? '0' : `count(*) FILTER (WHERE ${lateRow(def.column, type, watermarkSql(batchWatermark))})`;
    const row = await conn.query(`SELECT epoch_us(min(${time})), epoch_us(max(${time})), epoch_us(${watermarkOfMax(def)}), ${lateCount} FROM ${table}`);
    const [min, max, mark, late] = (row.rows[0] ?? []).map((v) => (v === null || v === undefined ? null : Number(v)));
    if (mark !== null && mark !== undefined) {
      const before = this.sourceMarks.get(source);
      if (before === undefined || mark > before) this.sourceMarks.set(source, mark);
    }
    return { min: min ?? null, max: max ?? null, late: late ?? 0 };
  }

  /** After a batch: the query watermark for the next one. */
  advance(): number | null {
    const marks = this.watermarked.map((s) => this.sourceMarks.get(s));
    if (marks.length === 0 || marks.some((m) => m === undefined)) return this.watermarkMicros;
    const next = Math.min(...(marks as number[]));
    if (this.watermarkMicros === null || next > this.watermarkMicros) this.watermarkMicros = next;
    return this.watermarkMicros;
  }
}

/**
 * The largest value of a source's WATERMARK expression over a batch. For the usual `col - INTERVAL
 * '...'` (or `col` alone) that is the expression of max(col): one subtraction instead of one per row,
 * which was most of the scan's cost. Anything else is computed row by row; the expression, as the
 * user wrote it, goes on lines of its own so that a trailing -- comment ends with it (CREATE SOURCE
 * checks this very text as one expression: engine/create.ts).
 */
export function watermarkOfMax(def: WatermarkDef): string {
  const column = `(?:${escapeRegExp(def.column)}|${escapeRegExp(quoteIdent(def.column))})`;
  const shape = new RegExp(`^\\s*${column}\\s*(-\\s*INTERVAL\\s*'[^']*'\\s*[A-Za-z]*\\s*)?$`, 'i');
  const match = shape.exec(def.expr);
  if (!match) return `max(\n${def.expr}\n)`;
  return `max(${quoteIdent(def.column)}) ${match[1] ?? ''}`.trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Epoch microseconds as an ISO timestamp for progress and SHOW output. */
export function microsToIso(us: number | null): string | null {
  return us === null ? null : new Date(Math.floor(us / 1000)).toISOString();
}
