/**
 * POST /v1/sources/:name/rows stores a value only as its column's type says: each value that breaks
 * its type is a 422 BAD_INPUT_ROW (22P02) naming the row index and the column, with nothing of the
 * request appended, unless the source was created with casts = 'lenient'. JSON bodies and NDJSON.
 */
import t from 'tap';
import { sql, startTestServer } from './helpers.js';

const COLUMNS = `id BIGINT NOT NULL, tags BIGINT[], s STRUCT(a INTEGER, b DOUBLE), d DOUBLE, ls STRUCT(a BIGINT)[], m MAP(VARCHAR, BIGINT)`;

/** [what, the request body as sent (JSON text), the message after `source "<src>": `] */
const BAD: readonly [string, string, RegExp][] = [
  ['NULL into a NOT NULL column', '[{"id": 1}, {"id": null}]', /^row index 1, column "id": null value in a NOT NULL column$/],
  ['a NOT NULL column left out', '[{"d": 1}]', /^row index 0, column "id": null value in a NOT NULL column$/],
  ['a list element that does not cast', '[{"id": 1, "tags": [1, "x", 3]}]', /^row index 0, column "tags": cannot cast "\[1,\\"x\\",3\]" to BIGINT\[\]: Failed to cast value to numerical: "x"$/],
  ['a struct key the type lacks', '[{"id": 1, "s": {"x": 1}}]', /^row index 0, column "s": cannot cast .* has unknown key "x"$/],
  ['1e400 into DOUBLE', '[{"id": 1, "d": 1e400}]', /^row index 0, column "d": a number beyond the range of a double$/],
  ['"1e400" into DOUBLE', '[{"id": 1, "d": "1e400"}]', /^row index 0, column "d": cannot cast "1e400" to DOUBLE: it is out of range$/],
  ['1.5 into BIGINT', '[{"id": 2}, {"id": 1.5}]', /^row index 1, column "id": cannot cast "1.5" to BIGINT: its fractional part would be lost$/],
  ['an integer JSON.parse cannot hold', '[{"id": 9007199254740993}]', /^row index 0, column "id": an integer beyond 2\^53/],
  ['a fraction inside a list', '[{"id": 1, "tags": [1, 2.5]}]', /^row index 0, column "tags": .*a number in it would be rounded or overflow$/],
  ['a list of structs with a field that does not cast', '[{"id": 1, "ls": [{"a": 1}, {"a": "q"}]}]', /^row index 0, column "ls": cannot cast .*: Failed to cast value to numerical: "q"$/],
  ['a list of structs with a key the type lacks', '[{"id": 1, "ls": [{"a": 1, "z": 2}]}]', /^row index 0, column "ls": cannot cast .* has unknown key "z"$/],
  ['a map value that does not cast', '[{"id": 1, "m": {"k": "v"}}]', /^row index 0, column "m": cannot cast .*: Failed to cast value to numerical: "v"$/],
  ['a map value with a fraction', '[{"id": 1, "m": {"k": 1.5}}]', /^row index 0, column "m": .*a number in it would be rounded or overflow$/],
];

async function post(url: string, source: string, body: string, type = 'application/json'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/sources/${source}/rows`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, body: await res.json() };
}

async function count(url: string, source: string): Promise<number> {
  return Number((await sql(url, `SELECT count(*) AS n FROM ${source}`)).body.results[0].rows[0][0]);
}

t.test('each value that breaks its type is a 422 BAD_INPUT_ROW naming row index and column; nothing is appended', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await sql(url, `CREATE SOURCE ev (${COLUMNS})`)).status, 200);
  for (const [what, body, message] of BAD) {
    const res = await post(url, 'ev', body);
    t.equal(res.status, 422, what);
    t.equal(res.body.error?.code, 'BAD_INPUT_ROW', what);
    t.equal(res.body.error?.sqlstate, '22P02', what);
    t.match(res.body.error?.message, new RegExp(`^source "ev": ${message.source.slice(1)}`), what);
  }
  const ndjson = await post(url, 'ev', '{"id": 1}\n{"id": 1.5}\n', 'application/x-ndjson');
  t.equal(ndjson.status, 422);
  t.equal(ndjson.body.error.message, 'source "ev": row index 1, column "id": cannot cast "1.5" to BIGINT: its fractional part would be lost');
  t.equal(await count(url, 'ev'), 0, 'no request appended anything');
  const good = await post(url, 'ev', '[{"id": 1, "tags": [1, 2], "s": {"a": 1}, "d": 2.5, "ls": [{"a": 3}], "m": {"k": 4}}, {"id": 2.0, "d": "-Infinity"}, {"id": "9007199254740993"}]');
  t.same(good, { status: 200, body: { source: 'ev', rows: 3 } });
  const stored = await sql(url, 'SELECT id::VARCHAR AS id, tags, s, d::VARCHAR AS d FROM ev ORDER BY id');
  t.same(stored.body.results[0].rows, [['1', [1, 2], { a: 1, b: null }, '2.5'], ['2', null, null, '-inf'], ['9007199254740993', null, null, null]]);
});

t.test("casts = 'lenient' takes what DuckDB's TRY_CAST makes of the values; NOT NULL still holds", async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await sql(url, `CREATE SOURCE ev (${COLUMNS}) WITH (casts = 'lenient')`)).status, 200);
  let appended = 0;
  for (const [what, body] of BAD) {
    const res = await post(url, 'ev', body);
    if (what.includes('NOT NULL')) {
      t.equal(res.status, 422, what);
      t.match(res.body.error.message, /null value in a NOT NULL column/, what);
    } else {
      t.equal(res.status, 200, what);
      appended += res.body.rows;
    }
  }
  t.equal(await count(url, 'ev'), appended);
  const lists = await sql(url, 'SELECT tags FROM ev WHERE tags IS NOT NULL ORDER BY len(tags) DESC');
  t.same(lists.body.results[0].rows, [[[1, null, 3]], [[1, 2]]], 'an element that does not cast is NULL, a fraction rounded');
});
