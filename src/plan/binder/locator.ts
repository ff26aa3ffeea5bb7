/**
 * Positions for binder errors. node-sql-parser gives `loc` only to some nodes (binary expressions,
 * function calls), so the locator also tokenizes the query text to find identifiers and calls
 * inside the nearest span that is known.
 */
import { positionAt, type SqlPosition } from '../../util/errors.js';
import type { ExprNode } from './ast.js';
import { columnIdent, functionName, isColumnRef, qualifierOf } from './ast.js';

/** A range of offsets in the query text, end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

interface Token {
  readonly kind: 'ident' | 'quoted' | 'string' | 'number' | 'punct';
  /** Identifiers lower-cased; quoted identifiers unquoted. */
  readonly value: string;
  readonly start: number;
}

export class Locator {
  private readonly tokens: readonly Token[];

  constructor(readonly text: string, readonly start: SqlPosition) {
    this.tokens = tokenize(text);
  }

  /** The whole query text. */
  get whole(): Span {
    return { start: 0, end: this.text.length };
  }

  /** The position in the user's script of an offset in the query text. */
  position(offset: number): SqlPosition {
    const p = positionAt(this.text, offset);
    return {
      offset: this.start.offset + offset,
      line: this.start.line + p.line - 1,
      column: p.line === 1 ? this.start.column + p.column - 1 : p.column,
    };
  }

  /** The node's own span if the parser recorded one, else `outer`. */
  spanOf(node: ExprNode, outer: Span): Span {
    return node.loc ? { start: node.loc.start.offset, end: node.loc.end.offset } : outer;
  }

  /** Best known offset where `node` begins, searching inside `outer` for nodes without `loc`. */
  offsetOf(node: ExprNode, outer: Span): number {
    return this.tryOffset(node, outer) ?? outer.start;
  }

  private tryOffset(node: ExprNode, outer: Span): number | undefined {
    if (node.loc) return node.loc.start.offset;
    if (isColumnRef(node) && node.column !== '*') return this.findIdent(columnIdent(node).name, outer, qualifierOf(node));
    const fn = functionName(node);
    if (fn !== null) return this.findCall(fn, outer);
    if (node.type === 'number') {
      const text = String(node.value);
      return this.find(outer, (i) => this.tokens[i]?.kind === 'number' && this.tokens[i]?.value === text);
    }
    const keyword = node.type === 'cast' && node.symbol !== '::' ? 'cast' : node.type === 'case' || node.type === 'interval' ? node.type : null;
    if (keyword) return this.findKeyword(keyword, outer);
    // Otherwise where its first locatable part is.
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc' || v === null || typeof v !== 'object') continue;
      for (const child of Array.isArray(v) ? v : [v]) {
        if (child && typeof child === 'object' && typeof (child as ExprNode).type === 'string') {
          const at = this.tryOffset(child as ExprNode, outer);
          if (at !== undefined) return at;
        }
      }
    }
    return undefined;
  }

  /** The position of `node` (see offsetOf). */
  positionOf(node: ExprNode, outer: Span): SqlPosition {
    return this.position(this.offsetOf(node, outer));
  }

  /** First `name` (or `qualifier.name`) in the span. */
  findIdent(name: string, span: Span, qualifier: string | null = null): number | undefined {
    const lname = name.toLowerCase();
    const lqual = qualifier?.toLowerCase() ?? null;
    return this.find(span, (i) => {
      if (!isName(this.tokens[i], lname)) return false;
      if (lqual === null) return true;
      return this.tokens[i - 1]?.value === '.' && isName(this.tokens[i - 2], lqual);
    }, lqual === null ? 0 : 2);
  }

  /** First `name` that follows FROM, JOIN or a comma (a table reference) in the span, else any `name`. */
  findTable(name: string, span: Span): number | undefined {
    const lname = name.toLowerCase();
    const after = this.find(span, (i) => {
      const prev = this.tokens[i - 1]?.value;
      return isName(this.tokens[i], lname) && (prev === 'from' || prev === 'join' || prev === ',' || prev === '.');
    });
    return after ?? this.findIdent(name, span);
  }

  /** First call `name(` in the span. */
  findCall(name: string, span: Span): number | undefined {
    const lname = name.toLowerCase();
    return this.find(span, (i) => isName(this.tokens[i], lname) && this.tokens[i + 1]?.value === '(');
  }

  /** The span from the first `keyword` (e.g. the clause's keyword) to the end of `span`, or `span`. */
  clause(keyword: string, span: Span): Span {
    const at = this.findKeyword(keyword, span);
    return at === undefined ? span : { start: at, end: span.end };
  }

  /** First keyword (an unquoted word, case-insensitive) in the span. */
  findKeyword(word: string, span: Span): number | undefined {
    const lword = word.toLowerCase();
    return this.find(span, (i) => this.tokens[i]?.kind === 'ident' && this.tokens[i]?.value === lword);
  }

  private find(span: Span, match: (i: number) => boolean, backBy = 0): number | undefined {
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.start < span.start) continue;
      if (t.start >= span.end) break;
      if (match(i)) return this.tokens[i - backBy]?.start ?? t.start;
    }
    return undefined;
  }
}

function isName(t: Token | undefined, lname: string): boolean {
  if (!t) return false;
  return (t.kind === 'ident' && t.value === lname) || (t.kind === 'quoted' && t.value.toLowerCase() === lname);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length) {
        if (text[j] === c && text[j + 1] === c) {
          value += c;
          j += 2;
        } else if (text[j] === c) {
          break;
        } else {
          value += text[j];
          j++;
        }
      }
      tokens.push({ kind: c === '"' ? 'quoted' : 'string', value, start: i });
      i = j + 1;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j).toLowerCase(), start: i });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE]/.test(text[j]!)) j++;
      tokens.push({ kind: 'number', value: text.slice(i, j), start: i });
      i = j;
    } else {
      tokens.push({ kind: 'punct', value: c, start: i });
      i++;
    }
  }
  return tokens;
}
