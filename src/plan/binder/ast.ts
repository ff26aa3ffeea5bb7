/**
 * The parts of node-sql-parser's (postgresql) AST that the binder reads. The library's own typings
 * are looser than what it produces, so the binder describes the shapes it relies on here, once.
 */

export interface AstLoc {
  readonly start: { readonly offset: number };
  readonly end: { readonly offset: number };
}

/** Any expression node; `type` says which. Only some nodes carry `loc`. */
export interface ExprNode {
  readonly type: string;
  readonly loc?: AstLoc;
  readonly [key: string]: unknown;
}

export interface IdentNode {
  readonly type: string;
  readonly value: string;
}

export interface ColumnRefNode extends ExprNode {
  readonly type: 'column_ref';
  readonly table?: string | IdentNode | null;
  readonly column: '*' | string | { readonly expr: IdentNode };
}

export interface AggrFuncNode extends ExprNode {
  readonly type: 'aggr_func';
  readonly name: string;
  readonly args: { readonly expr: ExprNode; readonly distinct?: string | null };
  readonly filter?: { readonly where: ExprNode } | null;
  readonly over?: unknown;
}

export interface SelectItem {
  readonly type?: string;
  readonly expr: ExprNode;
  readonly as?: string | IdentNode | null;
}

export interface WithItem {
  readonly name: IdentNode;
  readonly stmt: SelectStmt | { readonly ast: SelectStmt };
  readonly columns?: readonly ExprNode[] | null;
  readonly recursive?: boolean;
}

export interface OrderItem {
  readonly expr: ExprNode;
  readonly type?: string | null;
  readonly nulls?: string | null;
}

/** A FROM entry: a table, a subquery (`expr.ast`) or a table function (`type: 'expr'`). */
export interface FromItem {
  readonly type?: string;
  readonly db?: string | null;
  readonly table?: string;
  readonly as?: string | null;
  readonly join?: string;
  readonly on?: ExprNode | null;
  readonly using?: readonly IdentNode[] | null;
  readonly expr?: ExprNode & { readonly ast?: SelectStmt };
}

export interface SelectStmt {
  readonly type: 'select';
  readonly with?: readonly WithItem[] | null;
  readonly distinct?: { readonly type: string | null } | null;
  readonly columns: readonly SelectItem[] | '*';
  readonly from?: readonly FromItem[] | null;
  readonly where?: ExprNode | null;
  readonly groupby?: { readonly columns: readonly ExprNode[] | null } | null;
  readonly having?: ExprNode | null;
  readonly orderby?: readonly OrderItem[] | null;
  readonly limit?: { readonly seperator: string; readonly value: readonly ExprNode[] } | null;
  readonly _next?: SelectStmt;
  readonly set_op?: string;
}

/** An identifier as written: `quoted` identifiers match exactly, others case-insensitively. */
export interface Ident {
  readonly name: string;
  readonly quoted: boolean;
}

export function isColumnRef(node: ExprNode): node is ColumnRefNode {
  return node.type === 'column_ref';
}

export function isStarRef(node: ExprNode): boolean {
  return isColumnRef(node) && node.column === '*';
}

export function isAggrFunc(node: ExprNode): node is AggrFuncNode {
  return node.type === 'aggr_func';
}

/** The column of a column reference. */
export function columnIdent(ref: ColumnRefNode): Ident {
  const c = ref.column;
  if (typeof c === 'string') return { name: c, quoted: false };
  return { name: c.expr.value, quoted: c.expr.type === 'double_quote_string' };
}

/** The qualifier (`t` in `t.x`) of a column reference, or null. */
export function qualifierOf(ref: ColumnRefNode): string | null {
  const t = ref.table;
  if (t === null || t === undefined) return null;
  return typeof t === 'string' ? t : t.value;
}

/** A select item's alias, or null. */
export function aliasOf(item: SelectItem): string | null {
  const a = item.as;
  if (a === null || a === undefined) return null;
  return typeof a === 'string' ? a : a.value;
}

/** Lower-cased name of a function call node (`date_trunc`, `count`), or null if not a call. */
export function functionName(node: ExprNode): string | null {
  if (node.type === 'aggr_func' || node.type === 'window_func') return String(node.name).toLowerCase();
  if (node.type !== 'function') return null;
  const name = node.name as { name?: readonly IdentNode[] } | string | undefined;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = name?.name ?? [];
  return parts.map((p) => p.value).join('.').toLowerCase();
}

/** The node-sql-parser AST of a QueryText: a Select node (a one-statement array is unwrapped). */
export function asSelect(ast: unknown): SelectStmt | null {
  const node = Array.isArray(ast) ? (ast.length === 1 ? ast[0] : null) : ast;
  if (node && typeof node === 'object' && (node as { type?: unknown }).type === 'select') return node as SelectStmt;
  return null;
}
