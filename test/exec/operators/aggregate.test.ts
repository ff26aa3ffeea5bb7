import t from 'tap';
import { Database, type Connection } from '../../../src/duck/index.js';
import { quoteIdent } from '../../../src/duck/quote.js';
import { aggregateRule } from '../../../src/exec/operators/aggregate.js';
import type { RuleNames } from '../../../src/exec/operators/rule.js';
import type { AggregateOp, IncrementalNode } from '../../../src/plan/incremental/nodes.js';
import { needsMultiset } from '../../../src/plan/incremental/plan.js';
import type { AggregateCall, AlgebraicFunction } from '../../../src/plan/logical/nodes.js';
import { field, loadDelta, readDelta } from '../../support/changelog.js';

const inputFields = [field('k', 'VARCHAR'), field('v', 'BIGINT')];

function input(changelog: 'append-only' | 'retracting'): IncrementalNode {
  return { kind: 'source_scan', id: 'op1', source: 's', columns: ['k', 'v'], fields: inputFields, changelog, state: [], lateRowsColumn: null, weighted: false, columnsRead: null };
}

function call(fn: AlgebraicFunction, arg: string | null, distinct = false): AggregateCall {
  return { fn, arg, distinct, filter: null, display: `${fn}(${arg ?? '*'})` };
}

function aggregate(changelog: 'append-only' | 'retracting', aggs: AggregateCall[], outTypes: string[], keys = ['k']): AggregateOp {
  return {
    kind: 'aggregate', id: 'op2', input: input(changelog), keys, aggregates: aggs, distinct: false, changelog: 'retracting', state: [], windowEnd: null, emit: 'update',
    groupsTable: 'op2_groups', valuesTables: aggs.map((a, i) => (needsMultiset(a, changelog) ? `op2_values${i}` : null)),
    fields: [...keys.map((k) => field(k, 'VARCHAR')), ...aggs.map((a, i) => field(`a${i}_out`, outTypes[i]!))],
  };
}

const names: RuleNames = {
  inputs: ['"d_in"'],
  output: '"d_out"',
  state: (table) => `main.${quoteIdent(table)}`,
  scratch: (suffix) => quoteIdent(`t_${suffix}`),
  watermark: { current: null, previous: undefined },
  batchId: 0,
};

async function step(conn: Connection, node: AggregateOp, delta: string): Promise<string> {
  await loadDelta(conn, '"d_in"', inputFields, delta);
  await conn.runAll(aggregateRule.step(node, names));
  return readDelta(conn, '"d_out"', node.fields);
}

async function open(node: AggregateOp): Promise<Connection> {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  await conn.runAll(aggregateRule.createState(node, names));
  await conn.runAll(aggregateRule.setup(node, names));
  return conn;
}

t.test('count and sum emit the old row out and the new row in', async (t) => {
  const node = aggregate('append-only', [call('count', null), call('sum', 'v')], ['BIGINT', 'HUGEINT']);
  const conn = await open(node);
  t.equal(await step(conn, node, '+ a 1\n+ a 2\n+ b 5'), '+ a 2 3\n+ b 1 5');
  t.equal(await step(conn, node, '+ a 10'), '+ a 3 13\n- a 2 3');
});

t.test('retractions shrink a group and delete it at zero', async (t) => {
  const node = aggregate('retracting', [call('count', null), call('max', 'v')], ['BIGINT', 'BIGINT']);
  const conn = await open(node);
  t.equal(await step(conn, node, '+ a 1\n+ a 7\n+ b 5'), '+ a 2 7\n+ b 1 5');
  t.equal(await step(conn, node, '- a 7'), '+ a 1 1\n- a 2 7', 'max falls back to the next value');
  t.equal(await step(conn, node, '- a 1\n- b 5'), '- a 1 1\n- b 1 5', 'empty groups disappear');
});

t.test('unchanged groups emit nothing', async (t) => {
  const node = aggregate('retracting', [call('count', null)], ['BIGINT']);
  const conn = await open(node);
  await step(conn, node, '+ a 1');
  t.equal(await step(conn, node, '+ a 2\n- a 2'), '');
});

t.test('count distinct keeps a multiset of values', async (t) => {
  const node = aggregate('append-only', [call('count', 'v', true)], ['BIGINT']);
  const conn = await open(node);
  t.equal(await step(conn, node, '+ a 1\n+ a 1\n+ a 2'), '+ a 2');
  t.equal(await step(conn, node, '+ a 2\n+ a 3'), '+ a 3\n- a 2');
});

t.test('a global aggregate always has its one row', async (t) => {
  const node = aggregate('retracting', [call('count', null), call('sum', 'v')], ['BIGINT', 'HUGEINT'], []);
  const conn = await open(node);
  t.equal(await step(conn, node, '+ a 4'), '+ 1 4');
  t.equal(await step(conn, node, '- a 4'), '+ 0 null\n- 1 4');
});

t.test('a window bound never NULL among the keys is matched with =, any other key null-safely', async (t) => {
  const windowed = (notNull: boolean): AggregateOp => ({ ...aggregate('append-only', [call('count', null)], ['BIGINT']), windowEnd: { field: 'k', plusMicros: 0, notNull, gridMicros: null } });
  const strict = aggregateRule.step(windowed(true), names).join('\n');
  t.match(strict, /LEFT JOIN main\."op2_groups" AS o ON o\."k" = d\."k"/, 'the probe of the state');
  t.match(strict, /MERGE INTO main\."op2_groups" AS s USING "t_new" AS n ON s\."k" = n\."k"/, 'the update of the state');
  t.notMatch(strict, /"k" IS NOT DISTINCT FROM/);
  const padded = aggregateRule.step(windowed(false), names).join('\n');
  t.notMatch(padded, /"k" = /, 'a bound an outer join may have padded with NULL keeps IS NOT DISTINCT FROM');
});
