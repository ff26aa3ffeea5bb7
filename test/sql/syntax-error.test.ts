import t from 'tap';
import { describeFailure, positionWithin, syntaxError, tokenAt } from '../../src/sql/syntax-error.js';

t.test('positionWithin maps an offset inside a query to the script', async (t) => {
  const start = { offset: 100, line: 5, column: 10 };
  t.same(positionWithin('SELECT a\n  FROM t', start, 3), { offset: 103, line: 5, column: 13 });
  t.same(positionWithin('SELECT a\n  FROM t', start, 11), { offset: 111, line: 6, column: 3 });
});

t.test('tokenAt quotes the whole word, string or number found', async (t) => {
  t.equal(tokenAt('SELECT a FORM t', 9, 'end of input'), '"FORM"');
  t.equal(tokenAt("x 'it''s' y", 2, 'end of input'), `"'it''s'"`);
  t.equal(tokenAt('rate = 10s)', 7, 'end of input'), '"10s"');
  t.equal(tokenAt('abc   ', 3, 'end of query'), 'end of query');
  t.equal(tokenAt('a >= b', 2, 'end of input'), '">"');
});

t.test('describeFailure drops whitespace, comment and character-class noise', async (t) => {
  t.equal(
    describeFailure(
      [
        { type: 'other', description: 'whitespace' },
        { type: 'literal', text: '--', ignoreCase: false },
        { type: 'class' },
        { type: 'literal', text: 'from', ignoreCase: true },
        { type: 'literal', text: ';', ignoreCase: false },
        { type: 'other', description: 'identifier' },
        { type: 'end' },
      ],
      '"FORM"',
      'end of input',
    ),
    'expected identifier, FROM, ";" or end of input but "FORM" found',
  );
  t.equal(describeFailure([{ type: 'class' }], '"x"', 'end of input'), 'unexpected "x"');
});

t.test('describeFailure collapses operator floods and long lists', async (t) => {
  const operators = ['+', '-', '*', '/', '<>', '>=', '||', ','].map((text) => ({ type: 'literal', text }));
  t.equal(describeFailure(operators, '"x"', 'end'), 'expected "," or an operator but "x" found');
  const keywords = Array.from({ length: 25 }, (_, i) => ({ type: 'literal', text: `kw${String(i).padStart(2, '0')}` }));
  t.match(describeFailure(keywords, '"x"', 'end'), /^expected KW00, .*KW17 or 7 more but "x" found$/);
});

t.test('syntaxError is an EddyError with SQLSTATE 42601 and the position', async (t) => {
  const e = syntaxError({ offset: 4, line: 2, column: 3 }, 'unexpected "x"');
  t.equal(e.code, 'SYNTAX_ERROR');
  t.equal(e.sqlstate, '42601');
  t.equal(e.message, 'syntax error at line 2, column 3: unexpected "x"');
  t.same(e.position, { offset: 4, line: 2, column: 3 });
});
