import t from 'tap';
import { sql, startTestServer } from '../http/helpers.js';
import { TestWsClient } from './ws-client.js';

const rowsOf = (messages: any[]) => messages.map((m) => `${m.type}:${m.op}:${JSON.stringify(m.row)}`);

t.test('subscribe: snapshot, then changes per batch; several subscriptions on one socket; unsubscribe', async (t) => {
  const { url, wsUrl, engine } = await startTestServer(t);
  await sql(url, `CREATE SOURCE s (k VARCHAR, v BIGINT);
    CREATE MATERIALIZED VIEW totals AS SELECT k, sum(v) AS total FROM s GROUP BY k;
    CREATE MATERIALIZED VIEW big AS SELECT k, v FROM s WHERE v > 10;
    INSERT INTO s VALUES ('a', 1), ('b', 20)`);
  await engine.drain();
  const client = await TestWsClient.connect(wsUrl);
  t.teardown(() => client.close());
  client.send({ type: 'subscribe', name: 'totals', id: 't' });
  client.send({ type: 'subscribe', name: 'big', id: 'b', snapshot: false });
  await client.until((m) => m.some((x) => x.id === 't' && x.type === 'subscribed') && m.some((x) => x.id === 'b' && x.type === 'subscribed'));
  await client.until((m) => m.filter((x) => x.type === 'snapshot').length === 2);
  const subscribed = client.of('t', 'subscribed')[0];
  t.match(subscribed, { name: 'totals', snapshot_rows: 2 });
  t.same(client.of('t', 'snapshot').map((m) => m.row).sort((x: any, y: any) => x.k.localeCompare(y.k)), [{ k: 'a', total: 1 }, { k: 'b', total: 20 }]);
  t.ok(client.of('t', 'snapshot').every((m) => m.batch === subscribed.batch && m.name === 'totals' && m.op === 'insert'));
  t.same(client.of('b', 'snapshot'), [], 'no snapshot asked for');

  await sql(url, `INSERT INTO s VALUES ('a', 5), ('c', 30)`);
  await engine.drain();
  await client.until((m) => m.filter((x) => x.type === 'change').length >= 4);
  const tChanges = client.of('t', 'change');
  t.same(rowsOf(tChanges).sort(), ['change:delete:{"k":"a","total":1}', 'change:insert:{"k":"a","total":6}', 'change:insert:{"k":"c","total":30}'].sort());
  t.ok(tChanges.every((m) => m.batch > subscribed.batch));
  t.same(rowsOf(client.of('b', 'change')), ['change:insert:{"k":"c","v":30}']);

  client.send({ type: 'unsubscribe', id: 'b' });
  await client.until((m) => m.some((x) => x.type === 'unsubscribed' && x.id === 'b'));
  await sql(url, `INSERT INTO s VALUES ('d', 40)`);
  await engine.drain();
  await client.until((m) => client.of('t', 'change').length === 4);
  t.equal(client.of('b', 'change').length, 1, 'nothing after unsubscribe');
});

t.test('errors: bad messages, unknown queries, duplicate ids, resume too old', async (t) => {
  const { url, wsUrl, engine } = await startTestServer(t, { limits: { ringBatches: 2 } });
  await sql(url, `CREATE SOURCE s (v BIGINT); CREATE MATERIALIZED VIEW m AS SELECT v FROM s`);
  const client = await TestWsClient.connect(wsUrl);
  t.teardown(() => client.close());
  client.socket.send('not json');
  client.send({ type: 'subscribe' });
  client.send({ type: 'dance' });
  client.send({ type: 'subscribe', name: 'nope' });
  await client.until((m) => m.length >= 4);
  t.same(client.messages.slice(0, 3).map((m) => m.code), ['bad_message', 'bad_message', 'bad_message']);
  t.match(client.messages[1].message, /"name" must be a non-empty string/);
  t.match(client.messages[3], { type: 'error', code: 'undefined_table', sqlstate: '42P01', id: 'nope' });
  client.send({ type: 'subscribe', name: 'm', id: 'x' });
  client.send({ type: 'subscribe', name: 'm', id: 'x' });
  await client.until((m) => m.some((x) => x.code === 'duplicate_id'));
  for (let i = 0; i < 5; i++) {
    await sql(url, `INSERT INTO s VALUES (${i})`);
    await engine.drain();
  }
  await client.until(() => client.of('x', 'change').length === 5);
  const batches = client.of('x', 'change').map((m) => m.batch);
  client.send({ type: 'subscribe', name: 'm', id: 'old', from_batch: batches[0] });
  await client.until((m) => m.some((x) => x.id === 'old' && x.type === 'error'));
  t.match(client.of('old', 'error')[0], { code: 'resume_unavailable', message: /cannot resume "m" from batch/, hint: /snapshot/ });
  client.send({ type: 'subscribe', name: 'm', id: 'recent', from_batch: batches[3] });
  await client.until(() => client.of('recent', 'change').length === 2);
  t.same(client.of('recent', 'change').map((m) => m.row.v), [3, 4], 'resumed from the kept batches');
  client.send({ type: 'ping' });
  await client.until((m) => m.some((x) => x.type === 'pong'));
});

t.test('resume after a reconnect: nothing lost, nothing repeated', async (t) => {
  const { url, wsUrl, engine } = await startTestServer(t);
  await sql(url, `CREATE SOURCE s (v BIGINT); CREATE MATERIALIZED VIEW m AS SELECT v FROM s`);
  const first = await TestWsClient.connect(wsUrl);
  first.send({ type: 'subscribe', name: 'm' });
  await first.until((m) => m.some((x) => x.type === 'subscribed'));
  await sql(url, `INSERT INTO s VALUES (1)`);
  await engine.drain();
  await first.until((m) => m.some((x) => x.type === 'change'));
  const lastSeen = first.messages.filter((m) => m.type === 'change').at(-1).batch;
  first.close();
  for (const v of [2, 3]) {
    await sql(url, `INSERT INTO s VALUES (${v})`);
    await engine.drain();
  }
  const second = await TestWsClient.connect(wsUrl);
  t.teardown(() => second.close());
  second.send({ type: 'subscribe', name: 'm', from_batch: lastSeen + 1 });
  await sql(url, `INSERT INTO s VALUES (4)`);
  await engine.drain();
  await second.until((m) => m.filter((x) => x.type === 'change').length === 3);
  t.same(second.messages.filter((m) => m.type === 'change').map((m) => m.row.v), [2, 3, 4]);
  t.equal(second.messages.filter((m) => m.type === 'snapshot').length, 0);
});

t.test('bearer tokens on the upgrade; a dropped query ends its subscriptions', async (t) => {
  const { url, wsUrl } = await startTestServer(t, { tokens: ['tok'] });
  const refused = await TestWsClient.connect(wsUrl).catch((e) => e);
  t.equal(refused.status, 401);
  t.equal(refused.body.error.code, 'UNAUTHORIZED');
  const byQuery = await TestWsClient.connect(`${wsUrl}?token=tok`);
  byQuery.close();
  const client = await TestWsClient.connect(wsUrl, { authorization: 'Bearer tok' });
  t.teardown(() => client.close());
  const auth = { authorization: 'Bearer tok' };
  await sql(url, `CREATE SOURCE s (v BIGINT); CREATE MATERIALIZED VIEW m AS SELECT v FROM s`, auth);
  client.send({ type: 'subscribe', name: 'm' });
  await client.until((m) => m.some((x) => x.type === 'subscribed'));
  t.equal((await sql(url, 'DROP MATERIALIZED VIEW m', auth)).status, 200);
  await client.until((m) => m.some((x) => x.code === 'subscription_ended'));
  t.match(client.messages.at(-1).message, /"m" was dropped/);
  const wrongPath = await TestWsClient.connect(wsUrl.replace('/v1/ws', '/v1/other'), auth).catch((e) => e);
  t.equal(wrongPath.status, 404);
});
