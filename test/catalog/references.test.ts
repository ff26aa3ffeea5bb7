import t from 'tap';
import nsp from 'node-sql-parser';
import { Catalog } from '../../src/catalog/catalog.js';
import { referencedRelations } from '../../src/catalog/references.js';

const parser = new nsp.Parser();
const catalog = new Catalog();
for (const name of ['bid', 'auction', 'stations', 'x']) catalog.add({ kind: 'table', name, sql: '', columns: [] });
const refs = (sql: string): string[] => referencedRelations(parser.astify(sql, { database: 'postgresql' }), catalog).sort();

t.test('finds relations in FROM, joins, subqueries and CTEs', async (t) => {
  t.same(refs('SELECT * FROM bid'), ['bid']);
  t.same(refs('SELECT b.x FROM bid b JOIN auction a ON a.id = b.auction'), ['auction', 'bid']);
  t.same(refs('SELECT * FROM bid WHERE auction IN (SELECT id FROM stations)'), ['bid', 'stations']);
  t.same(refs('WITH c AS (SELECT * FROM auction) SELECT * FROM c'), ['auction']);
});

t.test('finds relations passed to window table functions, not columns named like tables', async (t) => {
  t.same(refs("SELECT x FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)"), ['bid']);
  t.same(refs('SELECT x FROM auction WHERE x > 1'), ['auction']);
});
