/**
 * Statements fuzzed at the engine: thousands of generated and mutated statements of every kind, each
 * answered within a bound, either with a result or with an EddyError that is not INTERNAL (an internal
 * error is a bug: a TypeError, an unmapped failure). After them the engine still answers, and Eddy's
 * catalog still matches DuckDB's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { seededRandom } from '../support/seeded-random.js';
import { Engine } from '../../src/engine/index.js';
import { EddyError } from '../../src/util/errors.js';

const CASES = Number(process.env.EDDY_FUZZ_CASES ?? 2200);
const SEED = Number(process.env.EDDY_FUZZ_SEED ?? 14);
const STATEMENT_TIMEOUT_MS = 15_000;

class Statements {
  private n = 0;
  constructor(private readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  name(): string {
    return this.pick(['clicks', 't', 'v', 'per_url', 'x', 'nope', '"Weird ""name"""', '"..".x', 'clicks.url', `n${this.int(6)}`]);
  }
  column(): string {
    return this.pick(['id', 'url', 'ts', 'a', 'b', 'missing', '*', 'clicks.id', '"id"', 'window_start']);
  }
  literal(): string {
    return this.pick([
      String(this.int(100)),
      '-1',
      '1e400',
      "'x'",
      "'it''s'",
      "E'\\n'",
      '$$d$$',
      'NULL',
      'true',
      "TIMESTAMP '2026-01-01 00:00:00'",
      "INTERVAL '5' SECOND",
      "'2026-13-45'::DATE",
      '[1, 2, 3]',
      "{'k': 1}",
      "'é'",
      `'${'y'.repeat(this.int(3) === 0 ? 5000 : 3)}'`,
    ]);
  }
  expr(depth = 0): string {
    if (depth > 3 || this.int(3) === 0) return this.int(2) ? this.column() : this.literal();
    switch (this.int(9)) {
      case 0:
        return `${this.expr(depth + 1)} ${this.pick(['+', '-', '*', '/', '%', '||', '=', '<>', '<', 'AND', 'OR', 'LIKE', 'IS DISTINCT FROM'])} ${this.expr(depth + 1)}`;
      case 1:
        return `${this.pick(['count', 'sum', 'avg', 'min', 'max', 'string_agg', 'lower', 'length', 'abs', 'coalesce', 'nope', 'row_number', 'epoch_us', 'list_value'])}(${this.expr(depth + 1)})`;
      case 2:
        return `CAST(${this.expr(depth + 1)} AS ${this.pick(['INT', 'BIGINT', 'VARCHAR', 'DOUBLE', 'DATE', 'TIMESTAMP', 'INT[]', 'STRUCT(a INT)', 'NOPE'])})`;
      case 3:
        return `CASE WHEN ${this.expr(depth + 1)} THEN ${this.expr(depth + 1)} ELSE ${this.expr(depth + 1)} END`;
      case 4:
        return `(${this.expr(depth + 1)})`;
      case 5:
        return `${this.expr(depth + 1)} IN (SELECT ${this.column()} FROM ${this.name()})`;
      case 6:
        return `count(*) OVER (PARTITION BY ${this.column()} ORDER BY ${this.column()})`;
      case 7:
        return `EXISTS (SELECT 1 FROM ${this.name()})`;
      default:
        return `${this.expr(depth + 1)}::${this.pick(['INT', 'VARCHAR', 'JSON'])}`;
    }
  }
  query(): string {
    const items = Array.from({ length: 1 + this.int(3) }, () => `${this.expr()}${this.int(3) === 0 ? ` AS c${this.int(5)}` : ''}`).join(', ');
    const from = this.pick([
      this.name(),
      `${this.name()} JOIN ${this.name()} ON ${this.expr()}`,
      `TUMBLE(clicks, ts, INTERVAL '${this.pick(['1', '0', '-5', 'x'])}' SECOND)`,
      `(SELECT * FROM ${this.name()}) AS sub`,
      `range(${this.int(10)})`,
      `read_text('/etc/passwd')`,
    ]);
    const where = this.int(2) ? ` WHERE ${this.expr()}` : '';
    const group = this.int(3) === 0 ? ` GROUP BY ${this.column()}` : '';
    const order = this.int(4) === 0 ? ` ORDER BY ${this.column()} LIMIT ${this.int(5)}` : '';
    return `SELECT ${items} FROM ${from}${where}${group}${order}`;
  }
  options(): string {
    const pairs = [
      `output_mode = '${this.pick(['append', 'update', 'complete', 'changelog', 'bogus'])}'`,
      `max_rows_per_batch = ${this.pick(['10', '0', '-1', "'x'"])}`,
      `trigger = '${this.pick(['1 second', 'once', 'available_now', 'sometimes'])}'`,
      `connector = '${this.pick(['console', 'blackhole', 'jsonl', 'kafka', 'nexmark', 'file', 'nope'])}'`,
      `path = '${this.pick(['/etc', '/tmp/eddy-fuzz-out', '../x', ''])}'`,
      `nope = 1`,
    ];
    return `WITH (${Array.from({ length: 1 + this.int(2) }, () => this.pick(pairs)).join(', ')})`;
  }
  statement(): string {
    const n = this.n++;
    switch (this.int(14)) {
      case 0:
        return `CREATE SOURCE IF NOT EXISTS n${n % 6} (${this.pick(['id BIGINT', 'a INT NOT NULL', 'ts TIMESTAMP', 'x WHATEVER', "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND"])}${this.int(2) ? ', ts TIMESTAMP' : ''})${this.int(2) ? ` ${this.options()}` : ''}`;
      case 1:
        return `CREATE ${this.pick(['', 'OR REPLACE '])}TABLE n${n % 6} (${this.pick(['a INT PRIMARY KEY', 'b VARCHAR DEFAULT \'x\'', 'c INT CHECK (c > 0)', 'd NOPE'])})`;
      case 2:
        return `CREATE ${this.pick(['', 'OR REPLACE '])}VIEW n${n % 6} AS ${this.query()}`;
      case 3:
        return `CREATE MATERIALIZED VIEW n${n % 6}${this.int(2) ? ` ${this.options()}` : ''} AS ${this.query()}`;
      case 4:
        return `CREATE SINK n${n % 6} ${this.int(2) ? `FROM ${this.name()}` : `AS ${this.query()}`} ${this.options()}`;
      case 5:
        return `INSERT INTO ${this.name()} ${this.pick([`VALUES (${this.literal()}, ${this.literal()}, ${this.literal()})`, `VALUES (${this.literal()})`, this.query(), 'DEFAULT VALUES'])}`;
      case 6:
        return `${this.pick([`UPDATE ${this.name()} SET ${this.column()} = ${this.expr()}`, `DELETE FROM ${this.name()} WHERE ${this.expr()}`])}`;
      case 7:
      case 8:
        return this.query();
      case 9:
        return `EXPLAIN ${this.pick(['', 'AST ', 'LOGICAL ', 'INCREMENTAL '])}${this.pick([`CREATE MATERIALIZED VIEW e AS ${this.query()}`, this.query()])}`;
      case 10:
        return this.pick(['SHOW SOURCES', 'SHOW TABLES', 'SHOW QUERIES', `SHOW PROGRESS ${this.name()}`, `SHOW CREATE ${this.name()}`, 'SHOW MATERIALIZED VIEWS', 'SHOW SINKS']);
      case 11:
        return `DROP ${this.pick(['SOURCE', 'TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SINK'])} ${this.pick(['', 'IF EXISTS '])}n${this.int(6)}${this.pick(['', ' CASCADE'])}`;
      case 12:
        return `ALTER ${this.pick(['MATERIALIZED VIEW', 'SINK'])} ${this.pick(['per_url', `n${this.int(6)}`, 'nope'])} ${this.pick(['PAUSE', 'RESUME', 'RESET'])}`;
      default:
        return this.pick([`SUBSCRIBE ${this.name()}`, `(${'('.repeat(this.int(400))}SELECT 1${')'.repeat(this.int(400))})`, `SELECT ${Array.from({ length: 300 }, (_, i) => `a = ${i}`).join(' OR ')} FROM t`]);
    }
  }
  /** A statement, sometimes with a few characters changed, inserted, cut or repeated. */
  mutated(): string {
    let s = this.statement();
    if (this.int(3) !== 0) return s;
    for (let k = 1 + this.int(3); k > 0; k--) {
      const at = this.int(s.length + 1);
      switch (this.int(5)) {
        case 0:
          s = s.slice(0, at) + this.pick(["'", '"', '(', ')', ';', ',', '--', '/*', '$$', '\r', '\u0000', 'é', ' SELECT ', ' WITH ']) + s.slice(at);
          break;
        case 1:
          s = s.slice(0, at) + s.slice(at + 1 + this.int(5));
          break;
        case 2:
          s = s.slice(0, at);
          break;
        case 3:
          s = s.slice(0, at) + s.slice(at, at + 10).repeat(2) + s.slice(at + 10);
          break;
        default:
          s = s.toUpperCase();
      }
    }
    return s;
  }
}

t.test(`${CASES} fuzzed statements: each answered in time, none with an internal error (seed ${SEED})`, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-statement-fuzz-'));
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), fileRoots: [path.join(dir, 'files')] });
  t.teardown(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await engine.execute(`CREATE SOURCE clicks (id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
    CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR);
    CREATE VIEW v AS SELECT id, url FROM clicks WHERE id > 0;
    CREATE MATERIALIZED VIEW per_url AS SELECT url, count(*) AS n FROM clicks GROUP BY url;
    INSERT INTO clicks VALUES (1, '/a', TIMESTAMP '2026-01-01 00:00:00'); INSERT INTO t VALUES (1, 'one')`);
  const gen = new Statements(seededRandom(SEED));
  const codes = new Map<string, number>();
  const internal: string[] = [];
  for (let i = 0; i < CASES && internal.length < 10; i++) {
    const sql = gen.mutated();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STATEMENT_TIMEOUT_MS)));
    const outcome = await Promise.race([engine.execute(sql).then(() => 'ok', (e: unknown) => e), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      internal.push(`no answer within ${STATEMENT_TIMEOUT_MS} ms: ${JSON.stringify(sql.slice(0, 300))}`);
      break;
    }
    const code = outcome === 'ok' ? 'ok' : outcome instanceof EddyError ? outcome.code : `not an EddyError: ${String(outcome)}`;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (code === 'INTERNAL' || code.startsWith('not an EddyError')) internal.push(`${code}: ${(outcome as Error).message?.slice(0, 300)} <- ${JSON.stringify(sql.slice(0, 300))}`);
    if (i % 250 === 249) await engine.drain().catch(() => undefined);
  }
  t.same(internal, [], `seed ${SEED}; answers: ${JSON.stringify([...codes].sort((a, b) => b[1] - a[1]))}`);
  t.ok((codes.get('ok') ?? 0) > CASES / 20, `${codes.get('ok') ?? 0} statements succeeded: the fuzz reaches past the parser`);
  t.same((await engine.execute('SELECT 1 AS one'))[0]!.rows, [[1]], 'the engine still answers');
  // DuckDB's tables are Eddy's tables (plus Eddy's own storage); DuckDB keeps the case an unquoted
  // name was written in and matches names without regard to it, Eddy lower-cases them
  const [duck] = await engine.execute(`SELECT lower(table_name) FROM duckdb_tables() WHERE database_name = 'eddy' AND schema_name = 'main' AND table_name NOT LIKE '\\_\\_%' ESCAPE '\\' AND table_name NOT LIKE 'eddy\\_%' ESCAPE '\\' ORDER BY 1`);
  t.same(duck!.rows.map((r) => r[0]), engine.catalog.list().filter((o) => o.kind === 'table').map((o) => o.name.toLowerCase()).sort());
});
