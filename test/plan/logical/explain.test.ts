import t from 'tap';
import { explainLogical } from '../../../src/plan/logical/explain.js';
import type { Field } from '../../../src/plan/logical/field.js';
import type { LogicalNode, ScanNode } from '../../../src/plan/logical/nodes.js';

const f = (name: string, type: string, userName = name, qualifier: string | null = null): Field => ({ name, type, userName, qualifier });

t.test('explainLogical prints one indented line per node with details and typed fields', async (t) => {
  const bid: ScanNode = { kind: 'scan', relation: 'source', name: 'bid', fields: [f('auction', 'BIGINT', 'auction', 'b'), f('price', 'BIGINT', 'price', 'b')] };
  const stations: ScanNode = { kind: 'scan', relation: 'table', name: 'stations', fields: [f('id', 'INTEGER', 'id', 's')] };
  const join: LogicalNode = {
    kind: 'join',
    joinType: 'left',
    left: bid,
    right: stations,
    condition: '"auction" = "id"',
    equiKeys: [['auction', 'id']],
    fields: [...bid.fields, ...stations.fields],
  };
  const filter: LogicalNode = { kind: 'filter', input: join, predicate: '"price" > 10', fields: join.fields };
  const agg: LogicalNode = {
    kind: 'aggregate',
    input: filter,
    keys: ['auction'],
    aggregates: [
      { fn: 'count', arg: null, distinct: false, filter: null, display: 'count(*)' },
      { fn: 'count', arg: 'price', distinct: true, filter: '"price" > 1', display: 'count(DISTINCT price) FILTER (WHERE price > 1)' },
    ],
    fields: [f('auction', 'BIGINT', 'auction', 'b'), f('count', 'BIGINT'), f('count_price', 'BIGINT')],
  };
  const project: LogicalNode = { kind: 'project', input: agg, exprs: ['"auction"', '"count"'], fields: [f('auction', 'BIGINT'), f('n', 'BIGINT')] };
  const union: LogicalNode = { kind: 'union', inputs: [project, project], fields: project.fields };
  const distinct: LogicalNode = { kind: 'distinct', input: union, fields: union.fields };
  const top: LogicalNode = {
    kind: 'sort_limit',
    input: distinct,
    orderBy: [{ expr: '"n"', descending: true, nullsFirst: false }],
    limit: 5,
    offset: null,
    fields: distinct.fields,
  };
  const text = explainLogical(top);
  const lines = text.split('\n');
  t.equal(lines[0], 'SortLimit order=["n" DESC NULLS LAST] limit=5 -> (auction BIGINT, n BIGINT)');
  t.equal(lines[1], '  Distinct -> (auction BIGINT, n BIGINT)');
  t.equal(lines[2], '    UnionAll inputs=2 -> (auction BIGINT, n BIGINT)');
  t.equal(lines[3], '      Project "auction" AS auction, "count" AS n -> (auction BIGINT, n BIGINT)');
  t.equal(
    lines[4],
    '        Aggregate keys=[auction] aggs=[count(*), count(DISTINCT price) FILTER (WHERE "price" > 1)] -> (auction BIGINT [b.auction], count BIGINT, count_price BIGINT)',
  );
  t.equal(lines[5], '          Filter "price" > 10 -> (auction BIGINT [b.auction], price BIGINT [b.price], id INTEGER [s.id])');
  t.equal(lines[6], '            Join left on "auction" = "id" keys=[auction=id] -> (auction BIGINT [b.auction], price BIGINT [b.price], id INTEGER [s.id])');
  t.equal(lines[7], '              Scan source bid -> (auction BIGINT [b.auction], price BIGINT [b.price])');
  t.equal(lines[8], '              Scan table stations -> (id INTEGER [s.id])');
  t.equal(lines.length, 15, 'the shared project subtree is printed under each union input');
});

t.test('a renamed field shows how the user refers to it', async (t) => {
  const scan: ScanNode = { kind: 'scan', relation: 'source', name: 'auction', fields: [f('date_time', 'TIMESTAMP', 'date_time', 'a')] };
  const project: LogicalNode = { kind: 'project', input: scan, exprs: ['"date_time"'], fields: [f('date_time_1', 'TIMESTAMP', 'date_time', 'a')] };
  t.match(explainLogical(project), /date_time_1 TIMESTAMP \[a\.date_time\]/);
});
