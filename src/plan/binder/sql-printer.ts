/**
 * node-sql-parser's printer, used to turn (rewritten) expression ASTs back into SQL text.
 * Its postgresql output is valid DuckDB for the expressions its grammar accepts. Aggregate calls
 * whose DISTINCT, ORDER BY or FILTER arrived as marked arguments (`sql/aggregate-call-rewrite.ts`)
 * are printed as written.
 */
import NSP from 'node-sql-parser/build/postgresql.js';
import { aggregateSyntax, hasMarkedParts, type AggregateOrderKey, type AggregateSyntax } from './aggregate-syntax.js';
import type { ExprNode } from './ast.js';

const parser = new NSP.Parser();
const options = { database: 'postgresql' } as const;

/** Prints an expression AST as SQL (column references as written in the AST). */
export function printExpr(node: ExprNode): string {
  const written = new Map<string, string>();
  const replace = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replace);
    if (value === null || typeof value !== 'object') return value;
    const obj = value as ExprNode;
    if (typeof obj.type === 'string' && hasMarkedParts(obj)) {
      const marker = `__eddy_written_${written.size}__`;
      written.set(marker, printAggregateCall(aggregateSyntax(obj)));
      return { type: 'default', value: marker };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = k === 'loc' ? v : replace(v);
    return out;
  };
  let sql = parser.exprToSQL(replace(node) as never, options);
  for (const [marker, text] of written) sql = sql.split(marker).join(text);
  return sql;
}

function orderSuffix(o: AggregateOrderKey): string {
  return `${o.descending ? ' DESC' : ''}${o.nullsFirst === null ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`;
}

/** An aggregate call as SQL, its parts printed by `print` (printExpr, or a renderer's). */
export function printAggregateCall(c: AggregateSyntax, print: (node: ExprNode) => string = printExpr): string {
  const args = c.star ? '*' : c.args.map(print).join(', ');
  const order = c.orderBy.map((o) => `${print(o.node)}${orderSuffix(o)}`).join(', ');
  const filter = c.filter ? ` FILTER (WHERE ${print(c.filter)})` : '';
  if (c.withinGroup) return `${c.name}(${args}) WITHIN GROUP (ORDER BY ${order})${filter}`;
  return `${c.name}(${c.distinct ? 'DISTINCT ' : ''}${args}${order ? ` ORDER BY ${order}` : ''})${filter}`;
}
