/**
 * Eddy's two readers of SQL text (the statement grammar and src/duck/lexer.ts, which the wire layer
 * splits with) fuzzed against DuckDB's own statement extraction: wherever DuckDB reads a script,
 * both must find the same number of statements, and every piece they cut must be one statement for
 * DuckDB too. Scripts are mostly valid SELECTs full of literals, comments and quotes holding `;`,
 * then mutated a few characters at a time, which is where a comment or a quote ends elsewhere.
 */
import t from 'tap';
import { seededRandom } from '../support/seeded-random.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { splitStatements } from '../../src/server/pgwire/sql-text.js';
import { parseScript } from '../../src/sql/parser.js';

const CASES = 3000;
const SEED = Number(process.env.EDDY_FUZZ_SEED ?? 20261203);

const DANGER = [';', "'", '"', '$', '$$', '$a$', '--', '\r', '\n', '/*', '*/', '\\', 'é', ' ', 'e', 'E', 'x', '1', '\v', '\f', '\t', '(', ')'];

class Gen {
  constructor(private readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** Text full of characters that end things early when misread. */
  content(): string {
    let s = '';
    for (let i = this.int(8); i > 0; i--) s += this.pick([...DANGER, 'a', 'b', 'DROP TABLE v', 'SELECT 2']);
    return s;
  }
  literal(top = false): string {
    switch (this.int(top ? 10 : 9)) {
      case 0:
        return String(this.int(1000));
      case 1:
        return `'${this.content().replaceAll("'", "''")}'`;
      case 2: {
        // an escape string: quotes as \' or '', backslashes doubled
        const body = this.content().replaceAll('\\', '\\\\').replaceAll("'", this.int(2) ? "\\'" : "''");
        return `${this.pick(['E', 'e'])}'${body}'`;
      }
      case 3: {
        const tag = this.pick(['', 'a', 'tag', 'é', 'x_1']);
        const body = this.content().replaceAll(`$${tag}$`, '');
        return `$${tag}$${body.endsWith('$') ? body + ' ' : body}$${tag}$`;
      }
      case 4:
        return `"${(this.content() || 'c').replaceAll('"', '""')}"`;
      case 5:
        return this.pick(['a$b', 'é$x', 'name', 'e', 'x1']);
      case 6:
        // DuckDB refuses U&'...' (and U&"...") outright, so they are left out: nothing to compare
        return `N'${this.content().replaceAll("'", "''")}'`;
      case 7:
        return `${this.pick(['B', 'X'])}'${this.pick(['01', 'ff', ''])}'`;
      case 8:
        return `(${this.literal()} ${this.pick(['+', '||', '-', '*'])} ${this.literal()})`;
      default:
        // in a select list only: an alias that is a quoted identifier
        return `1 AS "${(this.content() || 'c').replaceAll('"', '""')}"`;
    }
  }
  blank(): string {
    switch (this.int(6)) {
      case 0:
        return ` -- ${this.content().replace(/[\r\n]/g, ' ')}${this.pick(['\n', '\r', '\r\n'])}`;
      case 1:
        return ` /* ${this.content().replaceAll('*/', '').replaceAll('/*', '')} ${this.int(3) === 0 ? '/* nested */ ' : ''}*/ `;
      case 2:
        return this.pick(['\n', '\t', '\r', '\f', '\v']);
      default:
        return ' ';
    }
  }
  statement(): string {
    const items = Array.from({ length: 1 + this.int(3) }, () => this.literal(true));
    return `SELECT${this.blank()}${items.join(`${this.blank()},${this.blank()}`)}${this.blank()}`;
  }
  script(): string {
    const statements = Array.from({ length: 1 + this.int(3) }, () => this.statement());
    let text = statements.join(';') + (this.int(2) ? ';' : '');
    if (this.int(10) < 7) {
      for (let edits = 1 + this.int(3); edits > 0; edits--) {
        const at = this.int(text.length + 1);
        text = this.int(4) === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + this.pick(DANGER) + text.slice(at);
      }
    }
    return text;
  }
}

t.test(`the grammar and the lexer cut scripts where DuckDB does (${CASES} cases, seed ${SEED})`, async (t) => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  t.teardown(() => instance.closeSync());
  const duckCount = async (text: string): Promise<number | null> => {
    try {
      return (await conn.extractStatements(text)).count;
    } catch {
      return null;
    }
  };
  const gen = new Gen(seededRandom(SEED));
  let accepted = 0;
  let grammarCompared = 0;
  const failures: string[] = [];
  for (let i = 0; i < CASES && failures.length < 5; i++) {
    const text = gen.script();
    const duck = await duckCount(text);
    if (duck === null) continue;
    accepted++;
    const compare = async (reader: string, pieces: readonly string[]): Promise<void> => {
      // Each piece must be at most one statement for DuckDB (two would be one hidden from Eddy), and
      // the pieces DuckDB reads as one statement must add up to DuckDB's count for the whole script.
      // A piece DuckDB reads as nothing (it skips a lone non-ASCII character after a `;`) is refused
      // by Eddy, which is safe.
      let ones = 0;
      for (const piece of pieces) {
        const n = await duckCount(piece);
        if (n !== null && n > 1) failures.push(`${reader} piece holds ${n} statements for DuckDB: ${JSON.stringify(piece)} of ${JSON.stringify(text)}`);
        if (n === 1) ones++;
      }
      if (ones !== duck) failures.push(`${reader}: ${ones} statements DuckDB can read, DuckDB ${duck}: ${JSON.stringify(text)} -> ${JSON.stringify(pieces)}`);
    };
    await compare('lexer', splitStatements(text).map((p) => p.text));
    let parsed: string[] | null = null;
    try {
      parsed = parseScript(text).map((s) => s.sql);
    } catch {
      // the grammar may refuse what DuckDB reads; it must never read it differently
    }
    if (parsed === null) continue;
    grammarCompared++;
    await compare('grammar', parsed);
  }
  t.same(failures, [], `seed ${SEED}`);
  // the comparison means something only if DuckDB read a good share of the scripts
  t.ok(accepted > CASES / 4, `DuckDB read ${accepted} of ${CASES} scripts`);
  t.ok(grammarCompared > CASES / 5, `the grammar read ${grammarCompared} of them`);
});

t.test('the forms that once hid a statement from Eddy are read as DuckDB reads them', async (t) => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  t.teardown(() => instance.closeSync());
  for (const text of [
    "SELECT 1 --\r; DROP TABLE victim; COPY (SELECT 'x' AS x) TO 'escaped.txt'; SELECT 2\n+ 0",
    'INSERT INTO t VALUES (1) --\r; DROP TABLE victim',
    "SELECT E'\\'; DROP TABLE victim; --'",
    'SELECT $é$ ; DROP TABLE victim; $é$',
    'SELECT a$b$ ; SELECT 2',
  ]) {
    const duck = (await conn.extractStatements(text)).count;
    t.equal(splitStatements(text).length, duck, `lexer: ${JSON.stringify(text)}`);
    let parsed: number | string;
    try {
      parsed = parseScript(text).length;
    } catch (e) {
      parsed = (e as Error).message; // refusing (COPY is no statement of Eddy's) is fine; misreading is not
    }
    t.ok(parsed === duck || typeof parsed === 'string', `grammar: ${JSON.stringify(text)}: ${parsed}`);
  }
});
