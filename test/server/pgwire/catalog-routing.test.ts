/**
 * Which statements the emulated pg_catalog answers: those whose query reads the system catalog (its
 * relations and functions), never those that merely hold catalog words in a string, a comment or a
 * column's name. Over the simple and the extended protocol, as psql and drivers send them.
 */
import t from 'tap';
import { connect, RawClient, serialize, startServer } from './helpers.js';

const SETUP = `
CREATE SOURCE clicks (id BIGINT, url VARCHAR);
CREATE TABLE docs (id INTEGER, format_type VARCHAR, pg_class VARCHAR);
INSERT INTO docs VALUES (1, 'information_schema', 'pg_catalog.pg_settings');
`;

t.test('statements that only mention catalog words run on the engine', async (t) => {
  const { port } = await startServer(t, SETUP);
  const client = await connect(t, port);
  t.equal((await client.query("INSERT INTO clicks VALUES (1, '/docs/pg_settings')")).rowCount, 1, 'a string holding pg_settings');
  t.equal((await client.query('INSERT INTO clicks VALUES ($1, $2)', [2, '/pg_catalog/pg_class'])).rowCount, 1, 'a parameter holding catalog words');
  t.same((await client.query('SELECT id, format_type FROM docs')).rows, [{ id: 1, format_type: 'information_schema' }], 'a column named format_type');
  t.same((await client.query('SELECT pg_class FROM docs /* FROM pg_catalog.pg_class */')).rows, [{ pg_class: 'pg_catalog.pg_settings' }], 'a column named pg_class, a comment');
  t.same((await client.query("SELECT id FROM docs WHERE format_type = 'information_schema' AND pg_class LIKE 'pg_%'")).rows, [{ id: 1 }]);
  t.same((await client.query('SELECT id, format_type FROM docs WHERE id = $1', [1])).rows, [{ id: 1, format_type: 'information_schema' }], 'prepared, with a parameter');
  t.equal((await client.query("CREATE VIEW pg_words AS SELECT id, format_type FROM docs WHERE pg_class <> 'pg_type'")).command, 'CREATE');
  t.same((await client.query('SELECT * FROM pg_words')).rows, [{ id: 1, format_type: 'information_schema' }], "a user's relation named pg_*");

  const raw = await RawClient.connect(port);
  t.teardown(() => raw.close());
  const from = raw.messages.length;
  raw.send(serialize.query("INSERT INTO clicks VALUES (3, '/docs/pg_settings'); SELECT id, format_type FROM docs"));
  const messages = await raw.until('readyForQuery', from);
  t.same(messages.map((m) => m.name), ['commandComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery'], 'the simple protocol, two statements');
});

t.test('queries that read the system catalog are answered by the emulation', async (t) => {
  const { port } = await startServer(t, SETUP);
  const client = await connect(t, port);
  const names = await client.query("SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r' ORDER BY 1");
  t.same(names.rows, [{ relname: 'clicks' }, { relname: 'docs' }]);
  t.same((await client.query('SELECT relname FROM pg_class WHERE relname = $1', ['docs'])).rows, [{ relname: 'docs' }], 'unqualified, prepared');
  t.same((await client.query('SELECT format_type(23, -1) AS t')).rows, [{ t: 'integer' }], 'a function only the catalog has');
  // psql's spelling, which node-sql-parser cannot read: DuckDB's parser finds its relations
  const psql = await client.query(
    "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(docs)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)",
  );
  t.same(psql.rows, [{ relname: 'docs' }]);
  const columns = await client.query(
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON a.attrelid = c.oid WHERE c.relname = 'docs' ORDER BY a.attnum",
  );
  t.same(columns.rows.map((r) => `${r.attname} ${r.type}`), ['id integer', 'format_type text', 'pg_class text']);
});
