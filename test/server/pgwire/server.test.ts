import t from 'tap';
import { connect, eventually, RawClient, serialize, startServer } from './helpers.js';

const SETUP = `
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP);
CREATE TABLE owners (id INTEGER, name VARCHAR, amount DECIMAL(10,2));
INSERT INTO owners VALUES (1, 'ann', 1.50), (2, 'bob', NULL);
CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS clicks FROM clicks GROUP BY user_id;
`;

t.test('node-postgres: simple and parameterized queries, types, errors, transactions', async (t) => {
  const { port } = await startServer(t, SETUP);
  const client = await connect(t, port);

  const typed = await client.query(
    "SELECT true AS b, 1::SMALLINT AS s, 2::INTEGER AS i, 3::BIGINT AS l, 1.25::DECIMAL(5,2) AS d, 1.5::FLOAT AS f, 2.5::DOUBLE AS g, 'x' AS v, DATE '2024-01-02' AS dt, TIMESTAMP '2024-01-02 03:04:05.5' AS ts, INTERVAL 2 HOUR AS iv, '8c7bc2a3-47a4-4cf4-9b8a-7be2c7a19c1d'::UUID AS u, [1,2] AS li, 170141183460469231731687303715884105727::HUGEINT AS h, NULL AS n",
  );
  t.same(
    typed.fields.map((f) => [f.name, f.dataTypeID]),
    [['b', 16], ['s', 21], ['i', 23], ['l', 20], ['d', 1700], ['f', 700], ['g', 701], ['v', 25], ['dt', 1082], ['ts', 1114], ['iv', 1186], ['u', 2950], ['li', 1007], ['h', 1700], ['n', 23]],
  );
  const row = typed.rows[0];
  t.equal(row.b, true);
  t.equal(row.i, 2);
  t.equal(row.l, '3');
  t.equal(row.d, '1.25');
  t.equal(row.g, 2.5);
  t.same(row.li, [1, 2]);
  t.equal(row.iv.hours, 2);
  t.equal(row.h, '170141183460469231731687303715884105727');
  t.equal(row.n, null);

  const params = await client.query('SELECT name, amount FROM owners WHERE id = $1 OR name = $2 ORDER BY id', [2, "ann' OR 1=1 --"]);
  t.same(params.rows, [{ name: 'bob', amount: null }], 'parameters are values, not SQL');

  const named = { name: 'by_id', text: 'SELECT name FROM owners WHERE id = $1', values: [1] };
  t.same((await client.query(named)).rows, [{ name: 'ann' }]);
  t.same((await client.query({ ...named, values: [2] })).rows, [{ name: 'bob' }], 'a named statement is reused');

  const err = (await client.query('SELECT 1;\nSELECT * FROM missing_table').catch((e: unknown) => e)) as { code: string; position: string; message: string };
  t.equal(err.code, '42P01');
  t.match(err.message, /missing_table/);

  await client.query('BEGIN');
  t.equal((await client.query('INSERT INTO owners VALUES (3, $1, 2)', ['cy'])).rowCount, 1);
  await t.rejects(client.query('SELECT nope FROM owners'), { code: '42703' });
  await t.rejects(client.query('SELECT 1'), { code: '25P02' }, 'an aborted transaction refuses statements');
  await client.query('ROLLBACK');
  t.same((await client.query('SELECT count(*)::INTEGER AS n FROM owners')).rows, [{ n: 3 }], 'BEGIN/ROLLBACK are accepted (Eddy does not undo)');

  t.same((await client.query('SHOW client_encoding')).rows, [{ client_encoding: 'UTF8' }]);
  await client.query("SET application_name = 'tests'");
  t.same((await client.query('SHOW application_name')).rows, [{ application_name: 'tests' }]);
  const sources = await client.query('SHOW SOURCES');
  t.match(JSON.stringify(sources.rows), /clicks/, 'SHOW of Eddy objects goes to the engine');
});

t.test('errors carry SQLSTATE, hint and a 1-based position in the query string', async (t) => {
  const { port } = await startServer(t, SETUP);
  const raw = await RawClient.connect(port);
  t.teardown(() => raw.close());
  const from = raw.messages.length;
  raw.send(serialize.query('SELECT 1;   SELEC 2'));
  const messages = await raw.until('readyForQuery', from);
  const error = messages.find((m) => m.name === 'error') as unknown as { code: string; position: string };
  t.equal(error.code, '42601');
  t.ok(Number(error.position) >= 13, `position ${error.position} points into the second statement`);
  t.same(
    messages.map((m) => m.name),
    ['rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery'],
  );
});

t.test('extended protocol: portals with row limits, unnamed statements, describe', async (t) => {
  const { port } = await startServer(t, SETUP);
  const raw = await RawClient.connect(port);
  t.teardown(() => raw.close());
  const from = raw.messages.length;
  raw.send(
    serialize.parse({ name: 's1', text: 'SELECT * FROM range(5) AS r(x) WHERE x >= $1', types: [20] }),
    serialize.describe({ type: 'S', name: 's1' }),
    serialize.bind({ portal: 'p1', statement: 's1', values: ['1'] }),
    serialize.describe({ type: 'P', name: 'p1' }),
    serialize.execute({ portal: 'p1', rows: 2 }),
    serialize.execute({ portal: 'p1', rows: 2 }),
    serialize.execute({ portal: 'p1', rows: 2 }),
    serialize.sync(),
  );
  const messages = await raw.until('readyForQuery', from);
  t.same(
    messages.map((m) => m.name),
    ['parseComplete', 'parameterDescription', 'rowDescription', 'bindComplete', 'rowDescription', 'dataRow', 'dataRow', 'portalSuspended', 'dataRow', 'dataRow', 'commandComplete', 'commandComplete', 'readyForQuery'],
  );
  t.same((messages[1] as unknown as { dataTypeIDs: number[] }).dataTypeIDs, [20]);

  const next = raw.messages.length;
  raw.send(serialize.parse({ text: 'SELEC oops' }), serialize.bind({}), serialize.execute({}), serialize.sync(), serialize.query(''));
  await raw.until('emptyQuery', next);
  await eventually(() => raw.messages.length - next === 6);
  t.same(
    raw.messages.slice(next).map((m) => m.name),
    ['parseComplete', 'bindComplete', 'error', 'readyForQuery', 'emptyQuery', 'readyForQuery'],
    'after an error the messages up to Sync are skipped',
  );
});

t.test('SUBSCRIBE over the wire: COPY streams snapshot then changes, cancel ends it', async (t) => {
  const { port, engine } = await startServer(t, SETUP);
  await engine.execute("INSERT INTO clicks VALUES (1, '/a', TIMESTAMP '2024-01-01 00:00:00')");
  await engine.drain();
  const raw = await RawClient.connect(port);
  t.teardown(() => raw.close());
  const from = raw.messages.length;
  raw.send(serialize.query('COPY (SUBSCRIBE TO per_user) TO STDOUT'));
  await raw.until('copyData', from);
  await engine.execute("INSERT INTO clicks VALUES (1, '/b', TIMESTAMP '2024-01-01 00:00:01'), (2, '/c', NULL)");
  await engine.drain();
  const lines = (): string[] => raw.messages.filter((m) => m.name === 'copyData').map((m) => (m.chunk as Buffer).toString('utf8'));
  await eventually(() => lines().length >= 4);
  t.same(lines().slice(0, 1), ['0\tinsert\t1\t1\n']);
  t.same(lines().slice(1).sort(), ['1\tdelete\t1\t1\n', '1\tinsert\t1\t2\n', '1\tinsert\t2\t1\n']);

  const canceller = await RawClient.connect(port);
  canceller.socket.on('error', () => undefined);
  const { pid, secret } = raw;
  const socket = await import('node:net').then((net) => net.connect(port, '127.0.0.1'));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(serialize.cancel(pid, secret));
  const ended = await raw.until('readyForQuery', from);
  const error = ended.find((m) => m.name === 'error') as unknown as { code: string };
  t.equal(error.code, '57014', 'the cancelled COPY ends with query_canceled');
  canceller.close();
  socket.destroy();

  const client = await connect(t, port);
  t.same((await client.query('SELECT 42 AS x')).rows, [{ x: 42 }], 'the server still answers');
});

t.test('DECLARE CURSOR FOR SUBSCRIBE with blocking FETCH and timeouts', async (t) => {
  const { port, engine } = await startServer(t, SETUP);
  const client = await connect(t, port);
  await t.rejects(client.query('DECLARE c CURSOR FOR SUBSCRIBE per_user'), { message: /transaction block/ });
  await client.query('BEGIN');
  await client.query('DECLARE c CURSOR FOR SUBSCRIBE per_user WITH (snapshot = false)');
  const empty = await client.query("FETCH 10 c WITH (timeout = '100ms')");
  t.same(empty.rows, []);
  t.same(empty.fields.map((f) => f.name), ['batch', 'op', 'user_id', 'clicks']);
  const waiting = client.query('FETCH ALL c');
  await new Promise((r) => setTimeout(r, 100));
  await engine.execute("INSERT INTO clicks VALUES (7, '/x', NULL)");
  await engine.drain();
  const fetched = await waiting;
  t.same(fetched.rows.map((r) => [r.op, r.user_id, r.clicks]), [['insert', '7', '1']], 'FETCH blocks until a change commits');
  await t.rejects(client.query('FETCH 1 nope'), { code: '34000' });
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  await client.query('DECLARE s CURSOR FOR SELECT * FROM range(3)');
  t.equal((await client.query('FETCH 2 s')).rowCount, 2);
  t.equal((await client.query('FETCH ALL s')).rowCount, 1);
  await client.query('COMMIT');
});

t.test('a subscriber that falls behind is ended with an error, not buffered without bound', async (t) => {
  const { port, engine } = await startServer(t, SETUP, { subscriberLimit: 5 });
  const client = await connect(t, port);
  await client.query('BEGIN');
  await client.query('DECLARE c CURSOR FOR SUBSCRIBE per_user');
  await engine.execute(`INSERT INTO clicks SELECT range AS user_id, '/', NULL FROM range(20)`);
  await engine.drain();
  await t.rejects(client.query('FETCH ALL c'), { code: '54000', message: /fell more than 5 rows behind/ });
});
