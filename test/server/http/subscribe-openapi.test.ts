import { Ajv } from 'ajv';
import t from 'tap';
import { getJson, postJson, readNdjson as readLines, sql, startTestServer } from './helpers.js';

t.test('GET /v1/subscribe/:name streams the snapshot then changes as NDJSON until the client leaves', async (t) => {
  const { url, engine, server } = await startTestServer(t);
  await sql(url, `CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW c AS SELECT k, count(*) AS n FROM s GROUP BY k; INSERT INTO s VALUES ('a'), ('b')`);
  await engine.drain();
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/subscribe/c`, { signal: abort.signal });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/x-ndjson/);
  const pending = readLines(res, (lines) => lines.filter((l) => l.type === 'change').length >= 3);
  await new Promise((r) => setTimeout(r, 200));
  await sql(url, `INSERT INTO s VALUES ('a'), ('c')`);
  await engine.drain();
  const lines = await pending;
  t.match(lines[0], { type: 'subscribed', name: 'c', snapshot_rows: 2 });
  t.same(lines.filter((l) => l.type === 'snapshot').map((l) => l.row).sort((x: any, y: any) => x.k.localeCompare(y.k)), [{ k: 'a', n: 1 }, { k: 'b', n: 1 }]);
  t.same(lines.filter((l) => l.type === 'change').map((l) => `${l.op} ${l.row.k} ${l.row.n}`).sort(), ['delete a 1', 'insert a 2', 'insert c 1']);
  t.equal(engine.subscriberCounts().get('c'), 1);
  abort.abort();
  for (let i = 0; i < 50 && engine.subscriberCounts().get('c') !== 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(engine.subscriberCounts().get('c'), 0, 'the subscription ended with the client');
  const unknown = await getJson(`${url}/v1/subscribe/nope`);
  t.equal(unknown.status, 404);
  t.equal(unknown.body.error.code, 'UNDEFINED_TABLE');
  const tooOld = await getJson(`${url}/v1/subscribe/c?from_batch=0`);
  t.equal(tooOld.status, 400);
  t.match(tooOld.body.error.hint, /snapshot/);
});

t.test('/openapi.json lists every route, and real requests and responses validate against it', async (t) => {
  const { url, engine } = await startTestServer(t);
  const doc = (await getJson(`${url}/openapi.json`)).body;
  t.equal(doc.openapi, '3.1.0');
  const routes = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  t.same(routes, [
    'DELETE /v1/queries/{name}', 'GET /healthz', 'GET /metrics', 'GET /openapi.json', 'GET /v1/queries', 'GET /v1/queries/{name}',
    'GET /v1/subscribe/{name}', 'POST /v1/sources/{name}/rows', 'POST /v1/sql',
  ].sort());
  t.same(Object.keys(doc.paths['/v1/sources/{name}/rows'].post.requestBody.content).sort(), ['application/json', 'application/json-seq', 'application/jsonl', 'application/x-ndjson']);
  t.same(doc.paths['/v1/subscribe/{name}'].get.parameters.map((p: any) => `${p.in} ${p.name}`), ['path name', 'query snapshot', 'query from_batch', 'query token']);

  const ajv = new Ajv({ strict: false, allErrors: true });
  const validator = (schema: unknown) => ajv.compile({ components: doc.components, ...(schema as object) });
  const checkResponse = (method: string, path: string, status: number, body: unknown) => {
    const op = doc.paths[path][method.toLowerCase()];
    const schema = op.responses[String(status)]?.content['application/json']?.schema;
    t.ok(schema, `${method} ${path} documents status ${status}`);
    const validate = validator(schema);
    t.ok(validate(body), `${method} ${path} ${status} matches its schema: ${JSON.stringify(validate.errors)}`);
  };
  const requestValid = (path: string, body: unknown) => validator(doc.paths[path].post.requestBody.content['application/json'].schema)(body);
  t.ok(requestValid('/v1/sql', { sql: 'SELECT 1' }));
  t.notOk(requestValid('/v1/sql', { query: 'SELECT 1' }));
  t.ok(requestValid('/v1/sources/{name}/rows', [{ a: 1 }]));
  t.notOk(requestValid('/v1/sources/{name}/rows', { a: 1 }));

  const created = await sql(url, `CREATE SOURCE s (k VARCHAR, v DOUBLE); CREATE MATERIALIZED VIEW m AS SELECT k, sum(v) AS total FROM s GROUP BY k; INSERT INTO s VALUES ('a', 1.5); SELECT * FROM s`);
  checkResponse('POST', '/v1/sql', created.status, created.body);
  const failed = await sql(url, 'SELECT 1; SELECT nope');
  checkResponse('POST', '/v1/sql', failed.status, failed.body);
  await engine.drain();
  const list = await getJson(`${url}/v1/queries`);
  checkResponse('GET', '/v1/queries', list.status, list.body);
  const one = await getJson(`${url}/v1/queries/m`);
  checkResponse('GET', '/v1/queries/{name}', one.status, one.body);
  const missing = await getJson(`${url}/v1/queries/zzz`);
  checkResponse('GET', '/v1/queries/{name}', missing.status, missing.body);
  const appended = await postJson(`${url}/v1/sources/s/rows`, [{ k: 'b', v: 2 }]);
  checkResponse('POST', '/v1/sources/{name}/rows', appended.status, appended.body);
  const bad = await postJson(`${url}/v1/sources/s/rows`, [{ k: 'b', v: 'x' }]);
  checkResponse('POST', '/v1/sources/{name}/rows', bad.status, bad.body);
  const health = await getJson(`${url}/healthz`);
  checkResponse('GET', '/healthz', health.status, health.body);
  const dropped = await fetch(`${url}/v1/queries/m`, { method: 'DELETE' });
  checkResponse('DELETE', '/v1/queries/{name}', dropped.status, await dropped.json());
  t.ok(doc.paths['/metrics'].get.responses['200'].content['text/plain'], 'metrics are text');
  t.ok(doc.paths['/v1/subscribe/{name}'].get.responses['200'].content['application/x-ndjson'], 'subscribe streams NDJSON');
});
