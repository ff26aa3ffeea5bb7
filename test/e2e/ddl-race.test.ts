/**
 * `eddy serve` with its status line every few milliseconds, while 20 clients race CREATE and DROP
 * over HTTP and websocket subscribers come and go: the server stays up, no answer is an internal
 * error, and a DROP from psql's protocol ends a websocket subscription with its reason.
 */
import t from 'tap';
import { serveInProcess } from '../support/serve-in-process.js';
import { connect } from '../server/pgwire/helpers.js';
import { TestWsClient } from '../server/ws/ws-client.js';

async function sql(url: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
  return { status: res.status, body: await res.json() };
}

t.test('20 clients racing CREATE and DROP, with subscribers and the status line, never take the server down', async (t) => {
  process.env.EDDY_STATUS_INTERVAL_MS = '5';
  const server = await serveInProcess(t);
  await sql(server.httpUrl, 'CREATE SOURCE src (k BIGINT, v BIGINT)');
  const statuses = new Map<number, number>();
  const internal: string[] = [];
  const ws = await TestWsClient.connect(`${server.httpUrl.replace(/^http/, 'ws')}/v1/ws`);
  t.teardown(() => ws.close());
  let subscriptions = 0;
  const client = async (i: number): Promise<void> => {
    const name = `c${i % 4}`;
    for (let round = 0; round < 8; round++) {
      for (const text of [
        `CREATE MATERIALIZED VIEW ${name} AS SELECT k, count(*) AS n FROM src GROUP BY k`,
        `INSERT INTO src VALUES (${i}, ${round})`,
        `SHOW PROGRESS ${name}`,
        `DROP MATERIALIZED VIEW ${name}`,
      ]) {
        // subscribing right after the CREATE races the DROP that follows, from this client or another
        if (text.startsWith('INSERT')) {
          ws.send({ type: 'subscribe', name, id: `s${i}-${round}`, snapshot: true });
          subscriptions++;
        }
        const res = await sql(server.httpUrl, text);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500 || res.body.error?.sqlstate === 'XX000') internal.push(`${text}: ${JSON.stringify(res.body.error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, (_, i) => client(i)));
  t.same(internal, [], 'no answer was an internal error');
  t.notOk(server.exited(), 'the server is still serving');
  t.notOk(/internal:/.test(server.output()), 'no rejection went unhandled');
  // every subscription was answered: subscribed (and later ended), or refused with a reason
  await ws.until((m) => new Set(m.filter((x) => x.id).map((x) => x.id)).size === subscriptions, 20_000);
  const errors = ws.messages.filter((m) => m.type === 'error');
  t.same(errors.filter((m) => m.sqlstate === 'XX000' || !/does not exist|was dropped|changed while subscribing/.test(m.message)), [], 'every refusal or end names its reason');
  t.ok(ws.messages.some((m) => m.type === 'subscribed'), 'some subscriptions raced their DROP');
  t.ok(statuses.get(200)! > 0, `statuses ${JSON.stringify([...statuses])}`);
});

t.test('a DROP over psql\'s protocol ends a websocket subscription with its reason; a new view gets a fresh feed', async (t) => {
  process.env.EDDY_STATUS_INTERVAL_MS = '5';
  const server = await serveInProcess(t);
  await sql(server.httpUrl, 'CREATE SOURCE src (k BIGINT); CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM src');
  const ws = await TestWsClient.connect(`${server.httpUrl.replace(/^http/, 'ws')}/v1/ws`);
  t.teardown(() => ws.close());
  ws.send({ type: 'subscribe', name: 'm', id: 'first', snapshot: true });
  await ws.until(() => ws.of('first', 'subscribed').length === 1);
  const pg = await connect(t, server.pgPort);
  await pg.query('DROP MATERIALIZED VIEW m');
  await ws.until(() => ws.of('first', 'error').length === 1);
  t.match(ws.of('first', 'error')[0].message, /"m" was dropped/);

  await pg.query('CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM src');
  ws.send({ type: 'subscribe', name: 'm', id: 'second', snapshot: true });
  await ws.until(() => ws.of('second', 'subscribed').length === 1);
  await pg.query('INSERT INTO src VALUES (1)');
  await ws.until(() => ws.of('second', 'change').length > 0, 10_000);
  t.ok(true, 'the new subscriber receives the new view\'s changes');
});

t.test('psql SUBSCRIBE to a view dropped meanwhile ends with the reason, not an internal error', async (t) => {
  process.env.EDDY_STATUS_INTERVAL_MS = '5';
  const server = await serveInProcess(t);
  await sql(server.httpUrl, 'CREATE SOURCE src (k BIGINT); CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM src');
  const reader = await connect(t, server.pgPort);
  await reader.query('BEGIN');
  await reader.query('DECLARE c CURSOR FOR SUBSCRIBE m');
  t.equal((await reader.query('FETCH ALL c')).rows.length, 1, 'the snapshot');
  const dropped = await sql(server.httpUrl, 'DROP MATERIALIZED VIEW m');
  t.equal(dropped.status, 200);
  const error = await reader.query("FETCH ALL c WITH (timeout = '5s')").catch((e: { code?: string; message: string }) => e);
  t.match(error, { code: '42P01', message: /materialized view "m" was dropped/ });
});
