/**
 * node-sql-parser's printer, used to turn (rewritten) expression ASTs back into SQL text.
 * Its postgresql output is valid DuckDB for the expressions its grammar accepts.
 */
import NSP from 'node-sql-parser/build/postgresql.js';
import type { ExprNode } from './ast.js';

const parser = new NSP.Parser();
const options = { database: 'postgresql' } as const;

/** Prints an expression AST as SQL (column references as written in the AST). */
export function printExpr(node: ExprNode): string {
  return parser.exprToSQL(node as never, options);
}
