import t from 'tap';
import { EddyError } from '../../src/util/errors.js';
import { parseScript, parseStatement } from '../../src/sql/parser.js';
import { parseQueryBody, positionInQuery } from '../../src/sql/query-body.js';
import type { Statement } from '../../src/sql/ast.js';

function only<K extends Statement['kind']>(sql: string, kind: K): Statement & { readonly kind: K } {
  const statement = parseStatement(sql);
  if (statement.kind !== kind) throw new Error(`expected ${kind}, got ${statement.kind}`);
  return statement as Statement & { readonly kind: K };
}

function syntaxErrorOf(sql: string): EddyError {
  try {
    parseScript(sql);
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for: ${sql}`);
}

t.test('CREATE SOURCE with columns, watermark and options', async (t) => {
  const s = only(
    `CREATE SOURCE IF NOT EXISTS bid (auction BIGINT NOT NULL, price DECIMAL(10, 2) PRIMARY KEY, channel varchar(20),
       date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
     WITH (Connector = 'kafka', topic = bid, partitions = 4, rate = -1.5, earliest = TRUE, "Brokers" = 'h:9092')`,
    'create_source',
  );
  t.equal(s.name, 'bid');
  t.equal(s.ifNotExists, true);
  t.same(s.columns, [
    { name: 'auction', type: 'BIGINT', notNull: true, primaryKey: false },
    { name: 'price', type: 'DECIMAL(10,2)', notNull: false, primaryKey: true },
    { name: 'channel', type: 'VARCHAR(20)', notNull: false, primaryKey: false },
    { name: 'date_time', type: 'TIMESTAMP', notNull: false, primaryKey: false },
  ]);
  t.same(s.watermark, { column: 'date_time', expr: "date_time - INTERVAL '4' SECOND" });
  t.same(s.options, { connector: 'kafka', topic: 'bid', partitions: 4, rate: -1.5, earliest: true, brokers: 'h:9092' });
});

t.test('CREATE SOURCE without a column list (the connector supplies the schema)', async (t) => {
  const s = only(`create source bid with (connector = 'nexmark', table = 'bid', events_per_second = 10000)`, 'create_source');
  t.equal(s.columns, null);
  t.equal(s.watermark, null);
  t.same(s.options, { connector: 'nexmark', table: 'bid', events_per_second: 10000 });
  const bare = only('CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP)', 'create_source');
  t.same(bare.options, {});
});

t.test('types are stored upper-cased as DuckDB spells them', async (t) => {
  const s = only(
    `CREATE SOURCE s (a double precision, b timestamp with time zone, c timestamptz, d integer[], e int[][3],
       f struct(x int, "Y z" varchar), g map(varchar, struct(k bigint)), h json, i date, j boolean,
       k enum('a', 'b'), l character varying(10), m time without time zone, n union(num int, str varchar))`,
    'create_source',
  );
  t.same(
    s.columns?.map((c) => c.type),
    [
      'DOUBLE PRECISION',
      'TIMESTAMP WITH TIME ZONE',
      'TIMESTAMPTZ',
      'INTEGER[]',
      'INT[][3]',
      'STRUCT("x" INT, "Y z" VARCHAR)',
      'MAP(VARCHAR, STRUCT("k" BIGINT))',
      'JSON',
      'DATE',
      'BOOLEAN',
      "ENUM('a', 'b')",
      'CHARACTER VARYING(10)',
      'TIME WITHOUT TIME ZONE',
      'UNION("num" INT, "str" VARCHAR)',
    ],
  );
});

t.test('source columns reject table-only constraints and bad watermarks', async (t) => {
  t.match(syntaxErrorOf("CREATE SOURCE s (a INT DEFAULT 1)").message, /source column takes only NOT NULL and PRIMARY KEY/);
  t.match(syntaxErrorOf('CREATE SOURCE s (a INT, WATERMARK FOR b AS b)').message, /WATERMARK FOR "b": no such column/);
  t.match(
    syntaxErrorOf('CREATE SOURCE s (a TIMESTAMP, WATERMARK FOR a AS a, WATERMARK FOR a AS a)').message,
    /at most one WATERMARK/,
  );
});

t.test('CREATE TABLE with columns, constraints, and AS query', async (t) => {
  const table = only(
    `CREATE OR REPLACE TABLE IF NOT EXISTS stations (id INT, name VARCHAR NOT NULL DEFAULT 'x', capacity INT CHECK (capacity > 0),
       PRIMARY KEY (id), UNIQUE (name))`,
    'create_table',
  );
  t.equal(table.orReplace, true);
  t.equal(table.ifNotExists, true);
  t.same(table.columns?.map((c) => [c.name, c.primaryKey, c.notNull]), [
    ['id', true, false],
    ['name', false, true],
    ['capacity', false, false],
  ]);
  t.equal(table.asQuery, null);
  const ctas = only(`CREATE TABLE stations AS SELECT * FROM read_csv('stations.csv')`, 'create_table');
  t.equal(ctas.columns, null);
  t.equal(ctas.asQuery, "SELECT * FROM read_csv('stations.csv')");
  t.match(syntaxErrorOf('CREATE TABLE t (a INT, PRIMARY KEY (b))').message, /primary key column "b" is not defined/);
});

t.test('INSERT, UPDATE and DELETE keep their text for DuckDB', async (t) => {
  const values = only(`INSERT INTO stations VALUES (1, 'a;b'), (2, 'it''s')`, 'insert');
  t.equal(values.table, 'stations');
  t.equal(values.columns, null);
  t.equal(values.body, `VALUES (1, 'a;b'), (2, 'it''s')`);
  const query = only('insert into "Clicks" (user_id, url) select 1, 2', 'insert');
  t.equal(query.table, 'Clicks');
  t.same(query.columns, ['user_id', 'url']);
  t.equal(query.body, 'select 1, 2');
  const paren = only('INSERT INTO t (SELECT 1)', 'insert');
  t.equal(paren.columns, null);
  t.equal(paren.body, '(SELECT 1)');
  const update = only("UPDATE stations SET capacity = 3 WHERE name = 'x'", 'update');
  t.equal(update.table, 'stations');
  t.equal(update.sql, "UPDATE stations SET capacity = 3 WHERE name = 'x'");
  t.equal(only('DELETE FROM stations', 'delete').table, 'stations');
  t.equal(only('delete from stations where id = 1', 'delete').table, 'stations');
});

t.test('CREATE VIEW and CREATE MATERIALIZED VIEW parse their query with node-sql-parser', async (t) => {
  const view = only('CREATE OR REPLACE VIEW v AS SELECT a FROM t', 'create_view');
  t.equal(view.orReplace, true);
  t.equal(view.query.text, 'SELECT a FROM t');
  t.match(view.query.ast, { type: 'select', from: [{ table: 't' }] });

  const mv = only(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS hot WITH (trigger = '1 second') AS
       SELECT auction, window_start, count(*) AS bids
       FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start
     WITH (max_rows_per_batch = 1000)`,
    'create_materialized_view',
  );
  t.equal(mv.ifNotExists, true);
  t.same(mv.options, { trigger: '1 second', max_rows_per_batch: 1000 });
  t.match(mv.query.text, /^SELECT auction.*GROUP BY auction, window_start$/s);
  t.match(mv.query.ast, { type: 'select', groupby: {} });
  t.match(
    syntaxErrorOf("CREATE MATERIALIZED VIEW v WITH (trigger = 'once') AS SELECT 1 WITH (TRIGGER = 'once')").message,
    /option "trigger" is given more than once/,
  );
});

t.test('a CTE begins a query whereas a trailing WITH ( ends it', async (t) => {
  const mv = only(
    `CREATE MATERIALIZED VIEW m AS WITH recent AS (SELECT * FROM bid), top AS (SELECT 1 AS x)
     SELECT * FROM recent WITH (trigger = 'once')`,
    'create_materialized_view',
  );
  t.match(mv.query.text, /^WITH recent AS \(SELECT \* FROM bid\), top AS \(SELECT 1 AS x\)\s+SELECT \* FROM recent$/);
  t.match(mv.query.ast, { with: [{ name: { value: 'recent' } }, { name: { value: 'top' } }] });
  t.same(mv.options, { trigger: 'once' });

  const sink = only(
    `CREATE SINK s AS WITH x AS (SELECT a FROM t) SELECT * FROM x WHERE a IN (SELECT a FROM t) WITH (connector = 'console')`,
    'create_sink',
  );
  if (sink.input.kind !== 'query') throw new Error('expected a query input');
  t.equal(sink.input.query.text, 'WITH x AS (SELECT a FROM t) SELECT * FROM x WHERE a IN (SELECT a FROM t)');
  t.same(sink.options, { connector: 'console' });

  // `WITH` before a non-parenthesis (a cast's WITH TIME ZONE, or a word) stays inside the query.
  const cast = only("CREATE VIEW v AS SELECT CAST(x AS TIMESTAMP WITH TIME ZONE) FROM t", 'create_view');
  t.equal(cast.query.text, 'SELECT CAST(x AS TIMESTAMP WITH TIME ZONE) FROM t');
});

t.test('CREATE SINK from a relation or a query', async (t) => {
  const from = only(
    `CREATE SINK IF NOT EXISTS hot_parquet FROM hot
       WITH (connector = 'parquet', path = 'out/hot', partition_by = 'window_start', output_mode = 'append')`,
    'create_sink',
  );
  t.equal(from.ifNotExists, true);
  t.same(from.input, { kind: 'from', name: 'hot' });
  t.equal(from.options.output_mode, 'append');
  const query = only(
    `CREATE SINK big_bids AS SELECT * FROM bid WHERE price > 1000000
       WITH (connector = 'kafka', topic = 'big_bids', brokers = 'localhost:9092', key = 'auction')`,
    'create_sink',
  );
  t.match(query.input, { kind: 'query', query: { text: 'SELECT * FROM bid WHERE price > 1000000', ast: { type: 'select' } } });
  t.equal(Object.keys(query.options).length, 4);
});

t.test("Flink's TABLE(TUMBLE(TABLE t, DESCRIPTOR(c), size)) is read as TUMBLE(t, c, size)", async (t) => {
  const mv = only(
    `CREATE MATERIALIZED VIEW q AS SELECT window_start, count(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND)) GROUP BY window_start`,
    'create_materialized_view',
  );
  t.match(mv.query.text, /TABLE\(TUMBLE\(TABLE bid/, 'the text stays as written');
  t.match(mv.query.ast, {
    from: [{ expr: { type: 'function', name: { name: [{ value: 'TUMBLE' }] }, args: { value: [{ column: { expr: { value: 'bid' } } }, { column: { expr: { value: 'date_time' } } }, { type: 'interval' }] } } }],
  });
});

t.test('pull queries: SELECT, WITH, VALUES, TABLE, and DuckDB-only syntax with ast = null', async (t) => {
  const select = only('SELECT * FROM hot WHERE bids > 10', 'select');
  t.equal(select.query.text, 'SELECT * FROM hot WHERE bids > 10');
  t.match(select.query.ast, { type: 'select' });
  t.match(only('WITH a AS (SELECT 1) SELECT * FROM a', 'select').query.ast, { type: 'select' });
  t.equal(only('VALUES (1, 2), (3, 4)', 'select').query.text, 'VALUES (1, 2), (3, 4)');
  t.equal(only('TABLE hot', 'select').query.text, 'TABLE hot');
  const duck = only('SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1', 'select');
  t.equal(duck.query.ast, null);
  t.equal(only('FROM hot SELECT a', 'select').query.ast, null);
  t.equal(only('(SELECT 1) UNION ALL (SELECT 2)', 'select').query.text, '(SELECT 1) UNION ALL (SELECT 2)');
});

t.test('EXPLAIN variants wrap a materialized view, a sink or a pull query', async (t) => {
  const plain = only('EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT a FROM t', 'explain');
  t.equal(plain.variant, 'incremental');
  t.equal(plain.statement.kind, 'create_materialized_view');
  t.equal(plain.statement.sql, 'CREATE MATERIALIZED VIEW v AS SELECT a FROM t');
  t.equal(plain.statement.start.offset, 8);
  t.equal(only('explain ast select 1', 'explain').variant, 'ast');
  t.equal(only('EXPLAIN Logical CREATE SINK s FROM v WITH (connector = \'console\')', 'explain').variant, 'logical');
  const incremental = only('EXPLAIN INCREMENTAL SELECT a FROM t', 'explain');
  t.match(incremental.statement, { kind: 'select', query: { ast: { type: 'select' } } });
  // EXPLAIN needs a plan, so an unreadable pull query is an error here rather than ast = null.
  t.match(syntaxErrorOf('EXPLAIN SELECT * FROM t QUALIFY x = 1').message, /line 1, column 33: .* but "x" found/);
  t.match(syntaxErrorOf('EXPLAIN DROP TABLE t').message, /expected .*CREATE.*SELECT.* but "DROP" found/);
});

t.test('SHOW, DROP, ALTER and SUBSCRIBE', async (t) => {
  const shows = parseScript(
    'SHOW SOURCES; show tables; SHOW VIEWS; SHOW MATERIALIZED VIEWS; SHOW SINKS; SHOW QUERIES; SHOW PROGRESS hot; SHOW CREATE hot; SHOW CREATE SINK s',
  );
  t.same(
    shows.map((s) => (s.kind === 'show' ? s.target : null)),
    [
      { what: 'sources' },
      { what: 'tables' },
      { what: 'views' },
      { what: 'materialized_views' },
      { what: 'sinks' },
      { what: 'queries' },
      { what: 'progress', name: 'hot' },
      { what: 'create', name: 'hot', objectKind: null },
      { what: 'create', name: 's', objectKind: 'sink' },
    ],
  );
  t.match(only('DROP MATERIALIZED VIEW IF EXISTS a, "B" CASCADE', 'drop'), {
    objectKind: 'materialized_view',
    names: ['a', 'B'],
    ifExists: true,
    cascade: true,
  });
  t.match(only('drop source s restrict', 'drop'), { objectKind: 'source', names: ['s'], ifExists: false, cascade: false });
  for (const [kind, objectKind] of [['TABLE', 'table'], ['VIEW', 'view'], ['SINK', 'sink']] as const) {
    t.equal(only(`DROP ${kind} x`, 'drop').objectKind, objectKind);
  }
  t.match(only('ALTER MATERIALIZED VIEW hot PAUSE', 'alter'), { objectKind: 'materialized_view', name: 'hot', action: 'pause' });
  t.match(only('alter sink s resume', 'alter'), { objectKind: 'sink', action: 'resume' });
  t.match(only('ALTER SINK s RESET', 'alter'), { action: 'reset' });
  t.match(only('SUBSCRIBE hot', 'subscribe'), { name: 'hot', options: {} });
  t.match(only("SUBSCRIBE TO hot WITH (snapshot = false, format = 'json')", 'subscribe'), {
    name: 'hot',
    options: { snapshot: false, format: 'json' },
  });
});

t.test('keywords are case-insensitive; identifiers fold to lower case unless quoted', async (t) => {
  const s = only('cReAtE sOuRcE "MyBid" (Auction BIGINT, "Date""Time" TimeStamp) WiTh (CONNECTOR = Nexmark)', 'create_source');
  t.equal(s.name, 'MyBid');
  t.same(s.columns?.map((c) => c.name), ['auction', 'Date"Time']);
  t.same(s.options, { connector: 'nexmark' });
  t.equal(only('Drop Table "select"', 'drop').names[0], 'select');
  t.match(syntaxErrorOf('DROP TABLE select').message, /expected identifier or IF but "select" found/);
  t.match(syntaxErrorOf('DROP TABLE ""').message, /quoted identifier cannot be empty/);
});

t.test('comments and statement positions in a multi-statement script', async (t) => {
  const script = [
    '-- a script',
    '/* block /* nested */ comment */ CREATE SOURCE s (a INT); -- trailing',
    '',
    '  SELECT a -- inside',
    '  FROM s /* ; not an end */ ;;',
    'SHOW SOURCES',
  ].join('\n');
  const statements = parseScript(script);
  t.same(statements.map((s) => s.kind), ['create_source', 'select', 'show']);
  const [source, select, show] = statements;
  t.same(source?.start, { offset: 45, line: 2, column: 34 });
  t.equal(source?.sql, 'CREATE SOURCE s (a INT)');
  t.same(select?.start, { offset: script.indexOf('SELECT'), line: 4, column: 3 });
  t.equal(select?.sql, 'SELECT a -- inside\n  FROM s', 'trailing comments are not part of the statement');
  if (select?.kind !== 'select') throw new Error('expected select');
  t.same(select.query.start, select.start);
  t.same(show?.start, { offset: script.lastIndexOf('SHOW'), line: 6, column: 1 });
  t.same(parseScript('  -- nothing but a comment\n ; '), []);
  t.same(parseScript(''), []);
});

t.test('query positions point into the script', async (t) => {
  const script = 'SELECT 1;\nCREATE MATERIALIZED VIEW v AS\n    SELECT a FROM t';
  const mv = parseScript(script)[1];
  if (mv?.kind !== 'create_materialized_view') throw new Error('expected a materialized view');
  t.same(mv.query.start, { offset: script.indexOf('    SELECT') + 4, line: 3, column: 5 });
  t.same(mv.start, { offset: 10, line: 2, column: 1 });
});

t.test('syntax errors in the envelope say where, what was expected and what was found', async (t) => {
  const e = syntaxErrorOf('SELECT 1;\nCREATE SOURCE s (a INT)\nWITH (connector = kafka) garbage');
  t.equal(e.code, 'SYNTAX_ERROR');
  t.equal(e.sqlstate, '42601');
  t.same(e.position, { offset: 59, line: 3, column: 26 });
  t.equal(e.message, 'syntax error at line 3, column 26: expected ";" or end of input but "garbage" found');

  t.equal(
    syntaxErrorOf('CREATE FOO x').message,
    'syntax error at line 1, column 8: expected MATERIALIZED, OR, SINK, SOURCE, TABLE or VIEW but "FOO" found',
  );
  const start = syntaxErrorOf('SELEC 1').message;
  t.match(start, /^syntax error at line 1, column 1: expected .*CREATE.*SELECT.* but "SELEC" found$/);
  t.notMatch(start, /whitespace|--|\/\*/, 'whitespace and comment alternatives are collapsed');
  t.match(syntaxErrorOf('CREATE SOURCE s (a INT').message, /expected .*NOT.*"," or "\)" but end of input found/);
  t.match(syntaxErrorOf('CREATE SOURCE s (a INT,)').message, /column 24: expected identifier, .*WATERMARK but "\)" found/);
  t.match(syntaxErrorOf('SUBSCRIBE hot WITH (a = )').message, /expected option value but "\)" found/);
  t.match(syntaxErrorOf("SELECT 'abc").message, /column 8: unterminated string literal/);
  t.match(syntaxErrorOf('CREATE VIEW v AS SELECT (1').message, /expected .*"\)" but end of input found/);
  t.match(syntaxErrorOf('CREATE VIEW v AS SELECT 1 WITH (a = 1)').message, /column 27: expected ";" or end of input but "WITH" found/);
});

t.test('syntax errors inside a query body are mapped into the script', async (t) => {
  const script = 'CREATE SOURCE t (a INT);\n\nCREATE MATERIALIZED VIEW v AS\n  SELECT a\n  FROM t WHERE a > 1\n     FORM y;';
  const e = syntaxErrorOf(script);
  t.equal(e.code, 'SYNTAX_ERROR');
  t.same(e.position, { offset: script.indexOf('FORM'), line: 6, column: 6 });
  t.match(e.message, /^syntax error at line 6, column 6: expected .*GROUP.*ORDER.* but "FORM" found$/);
  t.notMatch(e.message, /"--"|"\/\*"|\[/, 'no comment or character-class alternatives');

  const first = syntaxErrorOf('CREATE SINK s AS SELECT a b c FROM t WITH (connector = \'console\')');
  t.same(first.position, { offset: 28, line: 1, column: 29 });
  t.match(first.message, /but "c" found/);
  t.match(syntaxErrorOf('CREATE VIEW v AS SELECT * FROM t WHERE').message, /column 39: expected .* but end of query found/);
  // Continuous queries must be readable by node-sql-parser; DuckDB-only syntax is an error there.
  t.match(syntaxErrorOf('CREATE VIEW v AS FROM t SELECT a').message, /expected .*SELECT.* but "FROM" found/);
  t.match(syntaxErrorOf('CREATE MATERIALIZED VIEW v AS SELECT * FROM t QUALIFY a = 1').message, /column 55: .* but "a" found/);
});

t.test('duplicate options are an error naming the key, at its position', async (t) => {
  const e = syntaxErrorOf("CREATE SOURCE s WITH (topic = 'a',\n  Topic = 'b')");
  t.equal(e.message, 'syntax error at line 2, column 3: option "topic" is given more than once');
  t.same(e.position, { offset: 37, line: 2, column: 3 });
  t.match(syntaxErrorOf("CREATE SINK s FROM v WITH (connector = 'x', connector = 'y')").message, /option "connector"/);
  t.match(syntaxErrorOf('SUBSCRIBE v WITH (a = 1, a = 1)').message, /option "a"/);
});

t.test('parseStatement wants exactly one statement', async (t) => {
  t.equal(parseStatement('SELECT 1;').kind, 'select');
  t.throws(() => parseStatement('SELECT 1; SELECT 2'), { code: 'SYNTAX_ERROR', message: /expected one statement but found 2/ });
  t.throws(() => parseStatement('  -- nothing'), { code: 'SYNTAX_ERROR' });
});

t.test('strings, quoted identifiers and dollar quotes do not end a statement early', async (t) => {
  const statements = parseScript(
    `SELECT ';' AS a, "x;y" FROM t; SELECT $$ ; $$ AS b; SELECT $tag$ it's ; $tag$; SELECT E'\\' ;' AS c`,
  );
  t.equal(statements.length, 4);
  t.same(
    statements.map((s) => s.sql),
    [`SELECT ';' AS a, "x;y" FROM t`, 'SELECT $$ ; $$ AS b', "SELECT $tag$ it's ; $tag$", "SELECT E'\\' ;' AS c"],
  );
});

t.test('parseQueryBody and positionInQuery map node-sql-parser locations into the script', async (t) => {
  const start = { offset: 40, line: 3, column: 7 };
  const query = parseQueryBody('SELECT a\nFROM t WHERE b > 1', start);
  // node-sql-parser puts `loc` on expressions such as binary_expr (not on every column reference).
  const where = (query.ast as { where: { loc: { start: { offset: number } } } }).where;
  t.same(positionInQuery(query, where.loc.start.offset), { offset: 62, line: 4, column: 14 });
  t.throws(() => parseQueryBody('SELECT FROM WHERE', start), { code: 'SYNTAX_ERROR' });
  t.equal(parseQueryBody('SELECT * FROM t QUALIFY a = 1', start, { allowUnparsed: true }).ast, null);
});

t.test('a source column list may hold only a WATERMARK, leaving the columns to the connector', async (t) => {
  const [s] = parseScript("CREATE SOURCE bid (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH (connector = 'nexmark', table = 'bid')");
  t.match(s, { kind: 'create_source', columns: null, watermark: { column: 'date_time', expr: "date_time - INTERVAL '4' SECOND" } });
  t.throws(() => parseScript('CREATE SOURCE s ()'), { code: 'SYNTAX_ERROR' });
});
