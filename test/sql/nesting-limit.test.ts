/** Statements nested past the limit are refused with 54001 before a parser's recursion overflows. */
import t from 'tap';
import { parseScript } from '../../src/sql/parser.js';
import { checkParenthesesDepth, MAX_NESTING_DEPTH } from '../../src/sql/nesting-limit.js';

function errorOf(sql: string): { sqlstate?: string; message?: string; position?: { offset: number } } | null {
  try {
    parseScript(sql);
    return null;
  } catch (e) {
    return e as { sqlstate?: string; message?: string; position?: { offset: number } };
  }
}

function nthParenthesis(text: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf('(', at + 1);
  return at;
}

t.test('5,000 nested parentheses: 54001 at the first parenthesis past the limit', async (t) => {
  for (const sql of [
    `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`,
    `CREATE MATERIALIZED VIEW m AS SELECT ${'('.repeat(5000)}a${')'.repeat(5000)} AS x FROM s`,
    `INSERT INTO t VALUES (${'('.repeat(5000)}1${')'.repeat(5000)})`,
    `SELECT * FROM ${'(SELECT * FROM '.repeat(5000)}t${') x'.repeat(5000)}`,
    `SELECT ${'('.repeat(100_000)}`,
  ]) {
    const error = errorOf(sql);
    t.equal(error?.sqlstate, '54001', sql.slice(0, 40));
    t.match(error?.message, /statement too complex: parentheses nested more than 1000 deep/);
    t.equal(error?.position?.offset, nthParenthesis(sql, MAX_NESTING_DEPTH + 1), 'the error points at the parenthesis past the limit');
  }
  t.equal(errorOf(`SELECT ${'('.repeat(MAX_NESTING_DEPTH)}1${')'.repeat(MAX_NESTING_DEPTH)}`), null, 'the limit itself is accepted');
});

t.test('a 20,000-term OR chain: 54001, for pull and continuous queries alike', async (t) => {
  const chain = Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(' OR ');
  for (const sql of [`SELECT * FROM t WHERE ${chain}`, `CREATE MATERIALIZED VIEW m AS SELECT * FROM s WHERE ${chain}`]) {
    const error = errorOf(sql);
    t.equal(error?.sqlstate, '54001');
    t.match(error?.message, /expressions nested more than 1000 deep/);
  }
  t.equal(errorOf(`SELECT * FROM t WHERE ${chain.split(' OR ').slice(0, 300).join(' OR ')}`), null, 'a chain of 300 terms is fine');
});

t.test('function calls nested past what node-sql-parser can follow: 54001, not a syntax error', async (t) => {
  const error = errorOf(`CREATE MATERIALIZED VIEW m AS SELECT ${'abs('.repeat(900)}a${')'.repeat(900)} AS x FROM s`);
  t.equal(error?.sqlstate, '54001');
  t.match(error?.message, /statement too complex/);
});

t.test('parentheses inside strings, quoted names, dollar quotes and comments are not nesting', async (t) => {
  const many = '('.repeat(5000);
  for (const text of [`SELECT '${many}'`, `SELECT 1 AS "${many}"`, `SELECT $x$${many}$x$`, `SELECT 1 -- ${many}`, `SELECT 1 /* ${many} /* */ */`, `SELECT 'it''s ${many}'`]) {
    t.doesNotThrow(() => checkParenthesesDepth(text), text.slice(0, 30));
  }
  t.throws(() => checkParenthesesDepth(`SELECT 1 --\r ${many}`), { name: 'EddyError', sqlstate: '54001' }, 'a -- comment ends at a carriage return, as in DuckDB');
  t.throws(() => checkParenthesesDepth(`SELECT a$x$ ${many}`), { name: 'EddyError', sqlstate: '54001' }, 'a $ inside a name opens no dollar quote');
});
