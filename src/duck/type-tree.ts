/**
 * DuckDB type names as trees: `STRUCT(a INTEGER, "b c" VARCHAR[])[]`, `MAP(VARCHAR, DOUBLE)`,
 * `DECIMAL(10,2)`, `TIMESTAMP WITH TIME ZONE`. Checks that must reach inside nested values (a list's
 * elements, a struct's fields) are generated from the tree; a type this parser does not know stays an
 * opaque leaf, so nothing fails for lack of it, it is only checked less deeply.
 */

export type TypeNode =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'list'; readonly element: TypeNode; readonly size: number | null }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: TypeNode }[] }
  | { readonly kind: 'map'; readonly key: TypeNode; readonly value: TypeNode };

type Token = { readonly kind: 'word' | 'quoted' | 'number' | 'string' | 'punct'; readonly text: string };

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return null;
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: ch === '"' ? 'quoted' : 'string', text: value });
      i = j + 1;
    } else if ('()[],'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else {
      return null;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isPunct(text)) throw new Error(`expected ${text}`);
    this.at++;
  }

  type(): TypeNode {
    let node = this.base();
    while (this.isPunct('[')) {
      this.at++;
      let size: number | null = null;
      if (this.peek()?.kind === 'number') size = Number(this.tokens[this.at++]!.text);
      this.expect(']');
      node = { kind: 'list', element: node, size };
    }
    return node;
  }

  private base(): TypeNode {
    const first = this.peek();
    if (first?.kind !== 'word') throw new Error('expected a type name');
    const name = first.text.toUpperCase();
    if ((name === 'STRUCT' || name === 'ROW') && this.tokens[this.at + 1]?.text === '(') {
      this.at += 2;
      const fields: { name: string; type: TypeNode }[] = [];
      for (;;) {
        const field = this.tokens[this.at++];
        if (field?.kind !== 'word' && field?.kind !== 'quoted') throw new Error('expected a field name');
        fields.push({ name: field.text, type: this.type() });
        if (this.isPunct(')')) break;
        this.expect(',');
      }
      this.expect(')');
      return { kind: 'struct', fields };
    }
    if (name === 'MAP' && this.tokens[this.at + 1]?.text === '(') {
      this.at += 2;
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect(')');
      return { kind: 'map', key, value };
    }
    if (name === 'LIST' && this.tokens[this.at + 1]?.text === '(') {
      this.at += 2;
      const element = this.type();
      this.expect(')');
      return { kind: 'list', element, size: null };
    }
    // a scalar: words (`DOUBLE PRECISION`, `TIMESTAMP WITH TIME ZONE`), then arguments
    const words: string[] = [];
    while (this.peek()?.kind === 'word') words.push(this.tokens[this.at++]!.text.toUpperCase());
    let text = words.join(' ');
    if (this.isPunct('(')) {
      const start = this.at;
      let depth = 0;
      do {
        const t = this.tokens[this.at++];
        if (t === undefined) throw new Error('unbalanced parentheses');
        if (t.kind === 'punct' && t.text === '(') depth++;
        if (t.kind === 'punct' && t.text === ')') depth--;
      } while (depth > 0);
      text += `(${this.tokens.slice(start + 1, this.at - 1).map(renderToken).join('')})`;
    }
    return { kind: 'scalar', text };
  }
}

function renderToken(t: Token): string {
  if (t.kind === 'string') return `'${t.text.replaceAll("'", "''")}'`;
  if (t.kind === 'quoted') return `"${t.text.replaceAll('"', '""')}"`;
  return t.kind === 'punct' && t.text === ',' ? ', ' : t.text;
}

/** The tree of a type as DuckDB or a user spells it; null when it cannot be read. */
export function parseType(text: string): TypeNode | null {
  const tokens = tokenize(text);
  if (tokens === null || tokens.length === 0) return null;
  try {
    const parser = new Parser(tokens);
    const node = parser.type();
    return parser.done() ? node : null;
  } catch {
    return null;
  }
}

/** A tree as a type name DuckDB reads. */
export function typeText(node: TypeNode): string {
  switch (node.kind) {
    case 'scalar':
      return node.text;
    case 'list':
      return `${typeText(node.element)}[${node.size ?? ''}]`;
    case 'struct':
      return `STRUCT(${node.fields.map((f) => `"${f.name.replaceAll('"', '""')}" ${typeText(f.type)}`).join(', ')})`;
    case 'map':
      return `MAP(${typeText(node.key)}, ${typeText(node.value)})`;
  }
}

const INTEGER_TYPES = new Set([
  'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT',
  'INT', 'INT1', 'INT2', 'INT4', 'INT8', 'INT16', 'INT32', 'INT64', 'INT128', 'SHORT', 'LONG', 'SIGNED', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'UINT128',
]);
const FLOAT_TYPES = new Set(['FLOAT', 'FLOAT4', 'REAL', 'DOUBLE', 'FLOAT8', 'DOUBLE PRECISION']);

/** What a scalar type is, as far as casts to it can lose something: integers round, floats overflow. */
export function numericKind(node: TypeNode): 'integer' | 'float' | null {
  if (node.kind !== 'scalar') return null;
  if (INTEGER_TYPES.has(node.text)) return 'integer';
  if (FLOAT_TYPES.has(node.text)) return 'float';
  return null;
}

export function isNested(node: TypeNode): boolean {
  return node.kind !== 'scalar';
}
