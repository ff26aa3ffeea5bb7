import t from 'tap';
import { inputsOf, type LogicalNode } from '../../../src/plan/logical/nodes.js';
import { pruneColumns, referenced } from '../../../src/plan/logical/prune-columns.js';
import { planToSql } from '../binder/plan-sql.js';
import { bind, closeFixture, seededConnection } from '../binder/fixture.js';

t.teardown(closeFixture);

/** The fields of the first node of `kind` found depth-first. */
function find(node: LogicalNode, kind: LogicalNode['kind']): LogicalNode | undefined {
  if (node.kind === kind) return node;
  for (const i of inputsOf(node)) {
    const hit = find(i, kind);
    if (hit) return hit;
  }
  return undefined;
}

const names = (node: LogicalNode | undefined): string[] => (node?.fields ?? []).map((f) => f.name);

t.test('a join keeps only the columns the query reads of each side (Nexmark q7 keeps no url or extra)', async (t) => {
  const plan = pruneColumns(await bind(
    `SELECT b.auction, b.price, b.bidder, b.date_time FROM bid b JOIN (SELECT max(price) AS maxprice, window_end AS wend
       FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end) m
     ON b.price = m.maxprice WHERE b.date_time BETWEEN m.wend - INTERVAL '10' SECOND AND m.wend`,
  ));
  const join = find(plan, 'join') as Extract<LogicalNode, { kind: 'join' }>;
  t.same(names(join.left).sort(), ['auction', 'bidder', 'date_time', 'price']);
  const window = find(join.right, 'window')!;
  t.notOk(names(window).includes('url'), 'the window below the aggregate carries no unused column');
});

t.test('the root keeps its fields and order, and the pruned plan computes the same rows', async (t) => {
  const queries = [
    'SELECT channel, count(*) AS n FROM bid WHERE price > 10 GROUP BY channel',
    'SELECT count(*) FROM bid',
    'SELECT a.item_name, b.price FROM bid b JOIN auction a ON b.auction = a.id WHERE a.category = 10',
    'SELECT DISTINCT bidder FROM bid',
    'SELECT auction FROM bid UNION ALL SELECT id FROM auction',
    `SELECT "Mixed Case" FROM odd WHERE n > 1`,
  ];
  const conn = await seededConnection();
  for (const sql of queries) {
    const plan = await bind(sql);
    const pruned = pruneColumns(plan);
    t.same(pruned.fields, plan.fields, `${sql}: same output fields`);
    const rows = async (p: LogicalNode) => (await conn.query(planToSql(p))).rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
    t.same(await rows(pruned), await rows(plan), `${sql}: same rows`);
  }
  const countStar = find(pruneColumns(await bind('SELECT count(*) FROM bid')), 'aggregate') as Extract<LogicalNode, { kind: 'aggregate' }>;
  t.same(names(countStar.input), ['auction'], 'count(*) reads one column, since a relation needs one');
});

t.test('references are the quoted identifiers outside string literals', async (t) => {
  const fields = ['a', 'b', 'x"y', 'c'].map((name) => ({ name, type: 'INTEGER', userName: name, qualifier: null }));
  t.same([...referenced(`"a" + 1 > 0 AND 'he said "b"' = "x""y" AND struct."nope" IS NULL`, fields)].sort(), ['a', 'x"y']);
  t.same([...referenced(`'it''s "c"' || "b"`, fields)], ['b']);
});

t.test('a rank keeps its partition and order fields and what is read above it (Nexmark q9 drops url and extra)', async (t) => {
  const sql = `SELECT auction, bidder, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, date_time) AS rn FROM bid) WHERE rn <= 1`;
  const plan = await bind(sql);
  const rank = find(pruneColumns(plan), 'rank')!;
  t.same(names(rank).sort(), ['auction', 'bidder', 'date_time', 'price'], 'no channel, url or extra; no rank column since none is selected');
  const conn = await seededConnection();
  const rows = async (p: LogicalNode) => (await conn.query(planToSql(p))).rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
  t.same(await rows(pruneColumns(plan)), await rows(plan));
});
