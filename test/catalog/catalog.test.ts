import t from 'tap';
import { Catalog } from '../../src/catalog/catalog.js';
import type { CatalogObject } from '../../src/catalog/types.js';

const q = { text: 'SELECT 1', start: { offset: 0, line: 1, column: 1 }, ast: null };
const source = (name: string): CatalogObject => ({ kind: 'source', name, sql: `CREATE SOURCE ${name}`, columns: [{ name: 'x', type: 'BIGINT' }], watermark: null, connector: 'push', options: {} });
const table = (name: string): CatalogObject => ({ kind: 'table', name, sql: `CREATE TABLE ${name}`, columns: [] });
const view = (name: string): CatalogObject => ({ kind: 'view', name, sql: `CREATE VIEW ${name}`, columns: [], query: q });
const mv = (name: string): CatalogObject => ({ kind: 'materialized_view', name, sql: `CREATE MATERIALIZED VIEW ${name}`, columns: [], query: q, options: {} });
const sink = (name: string, from: string): CatalogObject => ({ kind: 'sink', name, sql: `CREATE SINK ${name}`, columns: [], query: q, from, connector: 'blackhole', options: {} });

function sample(): Catalog {
  const c = new Catalog();
  c.add(source('bid'));
  c.add(table('stations'));
  c.add(view('v'), ['bid']);
  c.add(mv('hot'), ['v', 'stations']);
  c.add(sink('out', 'hot'), ['hot']);
  return c;
}

t.test('add, get, list and dependents', async (t) => {
  const c = sample();
  t.equal(c.get('bid')?.kind, 'source');
  t.same(c.list().map((o) => o.name), ['bid', 'stations', 'v', 'hot', 'out']);
  t.same(c.dependents('bid').map((o) => o.name), ['v']);
  t.same(c.dependents('stations').map((o) => o.name), ['hot']);
  t.same(c.dependents('out'), []);
});

t.test('a name is unique across kinds', async (t) => {
  const c = sample();
  t.throws(() => c.add(table('bid')), { code: 'DUPLICATE_OBJECT', message: /source "bid" already exists/ });
  t.throws(() => c.add(mv('v')), { code: 'DUPLICATE_OBJECT' });
});

t.test('a dependency must exist', async (t) => {
  const c = new Catalog();
  t.throws(() => c.add(view('v'), ['nope']), { code: 'UNDEFINED_TABLE' });
  t.notOk(c.has('v'));
});

t.test('drop without cascade refuses when others depend, naming them', async (t) => {
  const c = sample();
  t.throws(() => c.dropOrder('hot', false), { code: 'DEPENDENT_OBJECTS', message: /sink "out"/ });
  t.same(c.dropOrder('out', false).map((o) => o.name), ['out']);
  t.throws(() => c.dropOrder('missing', false), { code: 'UNDEFINED_TABLE' });
});

t.test('drop with cascade lists dependents first', async (t) => {
  const c = sample();
  const order = c.dropOrder('bid', true).map((o) => o.name);
  t.same(order, ['out', 'hot', 'v', 'bid']);
  for (const name of order) c.remove(name);
  t.same(c.list().map((o) => o.name), ['stations']);
});
