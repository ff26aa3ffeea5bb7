import t from 'tap';
import { segments, type SegmentKind } from '../../src/duck/lexer.js';

/** The text of each segment that is not code or blanks, with its kind. */
function opaque(sql: string): [SegmentKind, string][] {
  return [...segments(sql)].filter((s) => s.kind !== 'code' && s.kind !== 'space').map((s) => [s.kind, sql.slice(s.start, s.end)]);
}

function codeText(sql: string): string {
  return [...segments(sql)].filter((s) => s.kind === 'code').map((s) => sql.slice(s.start, s.end)).join(' ');
}

t.test('a -- comment ends at a carriage return as well as at a newline, as in DuckDB', async (t) => {
  t.same(opaque('SELECT 1 --\r; DROP TABLE v'), [['line_comment', '--']]);
  t.equal(codeText('SELECT 1 --\r; DROP TABLE v'), 'SELECT 1 ; DROP TABLE v');
  t.same(opaque('SELECT 1 -- a\nb'), [['line_comment', '-- a']]);
  t.same(opaque('SELECT 1 -- to the end'), [['line_comment', '-- to the end']]);
});

t.test('string literals: doubled quotes, escape strings, prefixes', async (t) => {
  t.same(opaque("SELECT 'a''b;c', 'x'"), [['string', "'a''b;c'"], ['string', "'x'"]]);
  // E'...' takes backslash escapes: \' does not close it
  t.same(opaque("SELECT E'\\'; DROP', 1"), [['string', "'\\'; DROP'"]]);
  t.same(opaque("SELECT e'a\\\\' , 'b'"), [['string', "'a\\\\'"], ['string', "'b'"]]);
  // a plain string takes no backslash escapes: the quote after the backslash closes it
  t.same(opaque("SELECT 'a\\' ; SELECT 2"), [['string', "'a\\'"]]);
  // `e` ends a longer name, so it is no prefix
  t.same(opaque("SELECT name'x'"), [['string', "'x'"]]);
  t.same(opaque("SELECT B'01', X'ff', N'n', U&'u''v'"), [['string', "'01'"], ['string', "'ff'"], ['string', "'n'"], ['string', "'u''v'"]]);
  t.same(opaque('SELECT U&"a""b"'), [['quoted_ident', '"a""b"']]);
});

t.test('dollar quotes: tags of name characters, not after a name, parameters apart', async (t) => {
  t.same(opaque('SELECT $$a;b$$, $tag$x$$y$tag$'), [['dollar_string', '$$a;b$$'], ['dollar_string', '$tag$x$$y$tag$']]);
  t.same(opaque('SELECT $é$;$é$, $a1$ $a1$'), [['dollar_string', '$é$;$é$'], ['dollar_string', '$a1$ $a1$']]);
  // a$b$ is one name; $1 is a parameter, and $1$ no delimiter
  t.equal(codeText('SELECT a$b$ ; $1'), 'SELECT a$b$ ; $ 1');
  t.same(opaque('SELECT $1$ ; $1$'), []);
  // the delimiter closes at its first occurrence
  t.same(opaque('SELECT $a$ $b$a$ ;'), [['dollar_string', '$a$ $b$a$']]);
});

t.test('nested block comments, quoted identifiers, unclosed literals', async (t) => {
  t.same(opaque('SELECT /* a /* ; */ b */ 1'), [['block_comment', '/* a /* ; */ b */']]);
  t.same(opaque('SELECT "a;""b" FROM t'), [['quoted_ident', '"a;""b"']]);
  const open = [...segments("SELECT 'abc")].at(-1)!;
  t.same([open.kind, open.open], ['string', true]);
  t.same([...segments('SELECT /* x')].at(-1)!.open, true);
  t.same([...segments('SELECT $q$ x')].at(-1)!.open, true);
  t.equal(codeText('SELECT\v1\f2'), 'SELECT 1 2');
});
