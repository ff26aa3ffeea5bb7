/** EXPLAIN [AST | LOGICAL | INCREMENTAL]: each variant shows one stage of the pipeline (docs/ARCHITECTURE.md). */
import { bindQuery } from '../plan/binder/index.js';
import { explainIncremental, planIncremental } from '../plan/incremental/plan.js';
import { explainLogical } from '../plan/logical/explain.js';
import type { Explain } from '../sql/ast.js';
import type { EngineContext } from './context.js';
import { queryOf, queryOptions } from './pipeline.js';
import { textLinesResult, type StatementResult } from './statement-result.js';

export async function explain(ctx: EngineContext, stmt: Explain): Promise<StatementResult> {
  const inner = stmt.statement;
  if (stmt.variant === 'ast') return textLinesResult('QUERY PLAN', JSON.stringify(inner, astReplacer, 2));
  const query = inner.kind === 'select' ? inner.query : queryOf(inner);
  const logical = await bindQuery(query, ctx.bind);
  if (stmt.variant === 'logical') return textLinesResult('QUERY PLAN', explainLogical(logical));
  const outputMode = inner.kind === 'select' ? null : queryOptions(inner).outputMode;
  const name = inner.kind === 'select' ? 'select' : inner.name;
  const target = inner.kind === 'create_sink' ? 'sink' : 'materialized_view';
  return textLinesResult('QUERY PLAN', explainIncremental(planIncremental(logical, { name, target, outputMode, catalog: ctx.catalog })));
}

function astReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
