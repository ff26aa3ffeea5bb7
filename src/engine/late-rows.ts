/**
 * The system table eddy_late_rows: rows that arrived below their query's watermark, kept by queries
 * with late_rows = 'keep'. Each query keeps its own in its state database; this view unions them,
 * and is rebuilt whenever the set of queries changes.
 */
import type { EngineContext } from './context.js';

export const LATE_ROWS_VIEW = 'eddy_late_rows';

const EMPTY =
  'SELECT NULL::VARCHAR AS query, NULL::VARCHAR AS source, NULL::BIGINT AS batch, NULL::VARCHAR AS source_offset, NULL::TIMESTAMP AS watermark, NULL::JSON AS "row" WHERE FALSE';

export async function refreshLateRowsView(ctx: EngineContext): Promise<void> {
  const parts = [...ctx.queries.values()].flatMap((h) => (h.query ? [`SELECT * FROM ${h.query.lateRowsRelation}`] : []));
  await ctx.conn.run(`CREATE OR REPLACE VIEW ${LATE_ROWS_VIEW} AS ${[EMPTY, ...parts].join(' UNION ALL ')}`);
}
