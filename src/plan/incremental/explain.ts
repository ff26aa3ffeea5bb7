/** EXPLAIN INCREMENTAL: the operator tree, each operator's state tables and changelog kind. */
import { quoteIdent } from '../../duck/quote.js';
import { formatMicros } from '../logical/duration.js';
import type { IncrementalPlan } from './plan.js';
import type { IncrementalNode } from './nodes.js';
import { inputsOfOp } from './nodes.js';
import { aggregateSql } from '../logical/aggregate-sql.js';

function describe(node: IncrementalNode): string {
  switch (node.kind) {
    case 'source_scan':
      return `SourceScan ${node.source}${node.lateRowsColumn ? ` (late rows dropped: ${node.lateRowsColumn} below the watermark)` : ''}`;
    case 'window_assign':
      return `${node.slideMicros === null ? 'Tumble' : 'Hop'} time=${node.timeField} size=${formatMicros(node.sizeMicros)}${node.slideMicros === null ? '' : ` slide=${formatMicros(node.slideMicros)}`}`;
    case 'session_window':
      return `Session time=${node.timeField} gap=${formatMicros(node.gapMicros)}${node.partitionBy.length ? ` partition=[${node.partitionBy.join(', ')}]` : ''} (emitted when the watermark closes a session)`;
    case 'over_window':
      return `Over partition=[${node.partitionBy.join(', ')}] [${node.exprs.join(', ')}] (touched partitions recomputed)${windowText(node.windowEnd)}`;
    case 'rank':
      return `Rank ${node.rankFunction} <= ${node.limit} partition=[${node.partitionBy.join(', ')}] order=[${node.orderBy.map((k) => `${k.expr}${k.descending ? ' DESC' : ''}`).join(', ')}]${windowText(node.windowEnd)}`;
    case 'map':
      return `Map${node.filter ? ` filter=[${node.filter}]` : ''}${node.exprs ? ` project=[${node.exprs.join(', ')}]` : ''}`;
    case 'aggregate':
      if (node.distinct) return `Distinct keys=[${node.keys.join(', ')}]`;
      return `Aggregate keys=[${node.keys.join(', ')}] aggs=[${node.aggregates.map(aggregateSql).join(', ')}]${windowText(node.windowEnd)}${node.emit === 'close' ? ' emit on window close' : ''}`;
    case 'lookup_join':
      return `LookupJoin ${node.joinType} (stream ${node.streamIsLeft ? 'left' : 'right'}, table as of the batch) on=[${node.condition ?? 'TRUE'}]`;
    case 'stream_join': {
      const b = node.timeBound;
      const bound = b
        ? ` time bound: ${b.rightField} - ${b.leftField} in [${b.lowerMicros === null ? '-inf' : formatMicros(b.lowerMicros)}, ${b.upperMicros === null ? '+inf' : formatMicros(b.upperMicros)}], state evicted by watermark`
        : ' (WARNING: no time bound: both inputs are kept forever, state grows without bound)';
      return `StreamJoin ${node.joinType} on=[${node.condition ?? 'TRUE'}]${bound}`;
    }
    case 'union':
      return `UnionAll`;
    case 'upsert':
      return `Upsert key=[${node.key.join(', ')}] (the latest row per key, by ${node.positionField}${node.truncates ? '; TRUNCATE deletes every row' : ''})`;
  }
}


function windowText(end: { field: string; plusMicros: number } | null): string {
  if (!end) return '';
  return ` window end=${end.field}${end.plusMicros ? ` + ${formatMicros(end.plusMicros)}` : ''} (closed groups evicted by watermark)`;
}

function lines(node: IncrementalNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const fields = node.fields.map((f) => `${quoteIdent(f.name)} ${f.type}`).join(', ');
  out.push(`${pad}${node.id}: ${describe(node)} -> ${node.changelog}`);
  out.push(`${pad}    fields: ${fields}`);
  for (const s of node.state) out.push(`${pad}    state: ${s.name} (${s.purpose})`);
  for (const input of inputsOfOp(node)) lines(input, depth + 1, out);
}

/** The operator lines alone (also the basis of the plan fingerprint). */
export function explainOps(operators: readonly IncrementalNode[]): string {
  const root = operators[operators.length - 1];
  const out: string[] = [];
  if (root) lines(root, 0, out);
  return out.join('\n');
}

export function explainIncremental(plan: IncrementalPlan): string {
  const out = [explainOps(plan.operators)];
  out.push(`output: ${plan.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  out.push(`changelog: ${plan.changelog}; key: ${plan.key ? plan.key.join(', ') : 'none'}`);
  out.push(`output modes allowed: ${plan.allowedOutputModes.join(', ')}; chosen: ${plan.outputMode}`);
  if (plan.order) out.push(`result order: applied to the whole result each trigger (complete mode)`);
  for (const w of plan.warnings) out.push(`WARNING: ${w}`);
  return out.join('\n');
}
