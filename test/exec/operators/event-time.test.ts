/** Event-time operator rules: windows, windowed aggregates closing by watermark, eviction, rank, sessions. */
import t from 'tap';
import { Database, type Connection } from '../../../src/duck/index.js';
import { quoteIdent } from '../../../src/duck/quote.js';
import { ruleFor } from '../../../src/exec/operators/index.js';
import type { RuleNames, WatermarkAdvance } from '../../../src/exec/operators/rule.js';
import type { IncrementalNode } from '../../../src/plan/incremental/nodes.js';
import { field, loadDelta, readDelta } from '../../support/changelog.js';

const S = 1_000_000;
const ts = (sec: number): string => `2024-01-01T00:00:${String(sec).padStart(2, '0')}`;

function scan(id: string, fields: ReturnType<typeof field>[], changelog: 'append-only' | 'retracting' = 'append-only'): IncrementalNode {
  return { kind: 'source_scan', id, source: id, columns: fields.map((f) => f.name), fields, changelog, state: [], lateRowsColumn: null, weighted: false, columnsRead: null };
}

async function harness(node: IncrementalNode, inputs: string[]) {
  const conn = await (await Database.open(':memory:')).connect();
  // the previous batch's watermark, as the pipeline passes it (unknown before the first step)
  let previous: number | null | undefined = undefined;
  const names = (watermark: WatermarkAdvance = { current: null, previous: undefined }): RuleNames =>
    ({ inputs, output: 'dout', state: (s: string) => `main.${quoteIdent(s)}`, scratch: (s: string) => quoteIdent(`t_${s}`), watermark, batchId: 0 });
  const rule = ruleFor(node);
  await conn.runAll(rule.createState(node, names()));
  return {
    conn,
    /** The SQL of the last step. */
    lastStep: [] as string[],
    /** `nextSec`: the watermark the next batch will run with (WatermarkAdvance.next), when known. */
    async step(watermarkSec: number | null, deltas: [string, ReturnType<typeof field>[], string][], nextSec?: number): Promise<string> {
      const micros = (sec: number | null): number | null => (sec === null ? null : sec * S + Date.UTC(2024, 0, 1) * 1000);
      const current = micros(watermarkSec);
      for (const [table, fields, text] of deltas) await loadDelta(conn, table, fields, text);
      await conn.runAll(rule.setup(node, names()));
      this.lastStep = rule.step(node, names({ current, previous, ...(nextSec === undefined ? {} : { next: micros(nextSec) }) }));
      previous = current;
      await conn.runAll(this.lastStep);
      return readDelta(conn, 'dout', node.fields);
    },
  };
}

const JOIN_LEFT = [field('a', 'BIGINT'), field('lt', 'TIMESTAMP')];
const JOIN_RIGHT = [field('b', 'BIGINT'), field('rt', 'TIMESTAMP')];

/** A join of two scans on a = b with rt within 5 s after lt, event times on no grid. */
function fiveSecondJoin(joinType: 'inner' | 'left'): IncrementalNode {
  return {
    kind: 'stream_join', id: 'op3', left: scan('op1', JOIN_LEFT), right: scan('op2', JOIN_RIGHT), joinType,
    condition: '"a" = "b" AND "rt" BETWEEN "lt" AND "lt" + INTERVAL 5 SECOND',
    timeBound: { leftField: 'lt', rightField: 'rt', lowerMicros: 0, upperMicros: 5 * S }, slackMicros: { left: 0, right: 0 },
    gridMicros: { left: null, right: null }, fields: [...JOIN_LEFT, ...JOIN_RIGHT], changelog: 'append-only', state: [], leftTable: 'op3_left', rightTable: 'op3_right',
  };
}

async function count(conn: Connection, table: string): Promise<number> {
  return Number(await conn.scalar(`SELECT count(*) FROM main.${quoteIdent(table)}`));
}

t.test('TUMBLE and HOP assign epoch-aligned windows; HOP repeats a row per window', async (t) => {
  const input = [field('k', 'VARCHAR'), field('ts', 'TIMESTAMP')];
  const out = [...input, field('window_start', 'TIMESTAMP'), field('window_end', 'TIMESTAMP')];
  const tumble = await harness({ kind: 'window_assign', id: 'op2', input: scan('op1', input), timeField: 'ts', sizeMicros: 10 * S, slideMicros: null, fields: out, changelog: 'append-only', state: [] }, ['din']);
  t.equal(await tumble.step(null, [['din', input, `+ a ${ts(7)}\n+ b ${ts(10)}\n+ c null`]]),
    `+ a 2024-01-01 00:00:07 2024-01-01 00:00:00 2024-01-01 00:00:10\n+ b 2024-01-01 00:00:10 2024-01-01 00:00:10 2024-01-01 00:00:20`);
  const hop = await harness({ kind: 'window_assign', id: 'op2', input: scan('op1', input), timeField: 'ts', sizeMicros: 10 * S, slideMicros: 5 * S, fields: out, changelog: 'append-only', state: [] }, ['din']);
  t.equal(await hop.step(null, [['din', input, `+ a ${ts(7)}`]]),
    `+ a 2024-01-01 00:00:07 2024-01-01 00:00:00 2024-01-01 00:00:10\n+ a 2024-01-01 00:00:07 2024-01-01 00:00:05 2024-01-01 00:00:15`);
});

t.test('a windowed aggregate emitting on close emits each window once, when the watermark passes its end, and evicts it', async (t) => {
  const input = [field('k', 'VARCHAR'), field('we', 'TIMESTAMP')];
  const node: IncrementalNode = {
    kind: 'aggregate', id: 'op2', input: scan('op1', input), keys: ['k', 'we'], distinct: false, emit: 'close',
    aggregates: [{ fn: 'count', arg: null, distinct: false, filter: null, display: 'count(*)' }],
    windowEnd: { field: 'we', plusMicros: 0, notNull: true, gridMicros: null }, fields: [field('k', 'VARCHAR'), field('we', 'TIMESTAMP'), field('n', 'BIGINT')],
    changelog: 'append-only', state: [], groupsTable: 'op2_groups', valuesTables: [null],
  };
  const h = await harness(node, ['din']);
  t.equal(await h.step(null, [['din', input, `+ a ${ts(10)}\n+ a ${ts(10)}\n+ a ${ts(20)}`]]), '', 'nothing closed without a watermark');
  t.equal(await h.step(12, [['din', input, `+ a ${ts(20)}`]]), '+ a 2024-01-01 00:00:10 2', 'the first window closes');
  t.equal(await count(h.conn, 'op2_groups'), 1, 'and leaves the state');
  t.equal(await h.step(25, [['din', input, '']]), '+ a 2024-01-01 00:00:20 2');
  t.equal(await count(h.conn, 'op2_groups'), 0);
});

t.test('a windowed aggregate on a grid of window ends evicts and emits only when the watermark passes a multiple of it', async (t) => {
  const input = [field('k', 'VARCHAR'), field('we', 'TIMESTAMP')];
  const node: IncrementalNode = {
    kind: 'aggregate', id: 'op2', input: scan('op1', input), keys: ['k', 'we'], distinct: false, emit: 'close',
    aggregates: [{ fn: 'count', arg: null, distinct: false, filter: null, display: 'count(*)' }],
    windowEnd: { field: 'we', plusMicros: 0, notNull: true, gridMicros: 10 * S }, fields: [field('k', 'VARCHAR'), field('we', 'TIMESTAMP'), field('n', 'BIGINT')],
    changelog: 'append-only', state: [], groupsTable: 'op2_groups', valuesTables: [null],
  };
  const h = await harness(node, ['din']);
  const evicts = (): boolean => h.lastStep.some((sql) => sql.startsWith('DELETE'));
  t.equal(await h.step(1, [['din', input, `+ a ${ts(10)}\n+ a ${ts(20)}`]]), '', 'nothing closed yet');
  t.ok(evicts(), 'the first step after setup evicts: the previous watermark is not known');
  t.equal(await h.step(9, [['din', input, `+ a ${ts(10)}`]]), '');
  t.notOk(evicts(), 'the watermark moved within (0 s, 10 s]: no window end passed, no DELETE');
  t.equal(await h.step(10, [['din', input, '']]), '+ a 2024-01-01 00:00:10 2', 'the end at 10 s is passed: emitted');
  t.ok(evicts());
  t.equal(await count(h.conn, 'op2_groups'), 1);
  t.equal(await h.step(19, [['din', input, `+ a ${ts(20)}`]]), '');
  t.notOk(evicts());
  t.equal(await h.step(35, [['din', input, '']]), '+ a 2024-01-01 00:00:20 2', 'a jump over several multiples closes what lies below');
  t.equal(await count(h.conn, 'op2_groups'), 0);
});

t.test('an inner join on window bounds skips its eviction until the watermark passes a multiple of the window', async (t) => {
  const left = [field('a', 'BIGINT'), field('lw', 'TIMESTAMP')];
  const right = [field('b', 'BIGINT'), field('rw', 'TIMESTAMP')];
  const node: IncrementalNode = {
    kind: 'stream_join', id: 'op3', left: scan('op1', left), right: scan('op2', right), joinType: 'inner',
    condition: '"a" = "b" AND "lw" = "rw"',
    timeBound: { leftField: 'lw', rightField: 'rw', lowerMicros: 0, upperMicros: 0 }, slackMicros: { left: 10 * S, right: 10 * S },
    gridMicros: { left: 10 * S, right: 10 * S }, fields: [...left, ...right], changelog: 'append-only', state: [], leftTable: 'op3_left', rightTable: 'op3_right',
  };
  const h = await harness(node, ['dl', 'dr']);
  const deletes = (): number => h.lastStep.filter((sql) => sql.startsWith('DELETE')).length;
  t.equal(await h.step(5, [['dl', left, `+ 1 ${ts(0)}\n+ 2 ${ts(10)}`], ['dr', right, '']]), '');
  t.equal(deletes(), 2, 'the first step evicts');
  t.equal(await h.step(9, [['dl', left, ''], ['dr', right, `+ 1 ${ts(0)}`]]), '+ 1 2024-01-01 00:00:00 1 2024-01-01 00:00:00');
  t.equal(deletes(), 0, 'window starts below 9 s - 10 s: none new since 5 s - 10 s');
  t.equal(await h.step(11, [['dl', left, ''], ['dr', right, '']]), '');
  t.equal(deletes(), 2, 'the watermark passed 10 s: the windows starting at 0 s are done');
  t.equal(await count(h.conn, 'op3_left'), 1, 'the left row of the window at 10 s stays');
  t.equal(await count(h.conn, 'op3_right'), 0);
});

t.test('an inner join on event times evicts once the bound passed a whole second; an outer join every batch', async (t) => {
  const [left, right] = [JOIN_LEFT, JOIN_RIGHT];
  const inner = await harness(fiveSecondJoin('inner'), ['dl', 'dr']);
  const deletes = (): number => inner.lastStep.filter((sql) => sql.startsWith('DELETE')).length;
  await inner.step(10.2, [['dl', left, `+ 1 ${ts(4)}\n+ 2 ${ts(6)}`], ['dr', right, `+ 9 ${ts(11)}`]]);
  t.equal(deletes(), 2, 'the first step evicts');
  t.equal(await count(inner.conn, 'op3_left'), 1, 'the row at 4 s is below 10.2 s - 5 s');
  await inner.step(10.7, [['dl', left, ''], ['dr', right, '']]);
  t.equal(deletes(), 0, 'within the same second: rows that can meet nothing stay a little longer');
  t.equal(await count(inner.conn, 'op3_left'), 1);
  t.equal(await inner.step(10.9, [['dl', left, ''], ['dr', right, `+ 2 ${ts(11)}`]]), '+ 2 2024-01-01 00:00:06 2 2024-01-01 00:00:11', 'and they still join right');
  await inner.step(12, [['dl', left, ''], ['dr', right, '']]);
  t.equal(deletes(), 2, 'the bound passed 6 s (left) and 11 s (right)');
  t.equal(await count(inner.conn, 'op3_left'), 0);
  const outer = await harness(fiveSecondJoin('left'), ['dl', 'dr']);
  await outer.step(10.2, [['dl', left, ''], ['dr', right, '']]);
  await outer.step(10.7, [['dl', left, ''], ['dr', right, '']]);
  t.equal(outer.lastStep.filter((sql) => sql.startsWith('DELETE')).length, 2, 'an outer join pads what it evicts: every batch');
});

t.test("an inner join does not store rows the next batch's watermark puts past their bound, yet joins them in their batch", async (t) => {
  const [left, right] = [JOIN_LEFT, JOIN_RIGHT];
  const inner = await harness(fiveSecondJoin('inner'), ['dl', 'dr']);
  // at the watermark of 10 s nothing of this batch is past its bound; at the next one, 20 s, the
  // left row at 6 s (below 20 s - 5 s) and the right rows at 9 s and 12 s (below 20 s) are
  const first = await inner.step(10, [['dl', left, `+ 1 ${ts(6)}\n+ 2 ${ts(15)}\n+ 3 ${ts(16)}`], ['dr', right, `+ 1 ${ts(9)}\n+ 5 ${ts(12)}`]], 20);
  t.equal(first, '+ 1 2024-01-01 00:00:06 1 2024-01-01 00:00:09', 'rows of the same batch meet whether stored or not');
  t.equal(await count(inner.conn, 'op3_left'), 2, 'the left row at 6 s is not stored; 15 s (at the bound) and 16 s are');
  t.equal(await count(inner.conn, 'op3_right'), 0, 'the right rows at 9 s and 12 s are not stored');
  t.equal(await inner.step(20, [['dl', left, ''], ['dr', right, `+ 2 ${ts(20)}`]]), '+ 2 2024-01-01 00:00:15 2 2024-01-01 00:00:20',
    'a later row at the watermark still meets the row stored at the bound');
  const outer = await harness(fiveSecondJoin('left'), ['dl', 'dr']);
  await outer.step(10, [['dl', left, `+ 1 ${ts(6)}\n+ 2 ${ts(15)}`], ['dr', right, '']], 20);
  t.equal(await count(outer.conn, 'op3_left'), 2, 'an outer join stores the rows it may pad later, the one at 6 s too');
});

t.test('a time-bounded left outer join evicts rows by watermark and pads the unmatched ones', async (t) => {
  const [left, right] = [JOIN_LEFT, JOIN_RIGHT];
  const h = await harness(fiveSecondJoin('left'), ['dl', 'dr']);
  t.equal(await h.step(null, [['dl', left, `+ 1 ${ts(10)}\n+ 2 ${ts(10)}`], ['dr', right, '']]), '');
  t.equal(await h.step(11, [['dl', left, ''], ['dr', right, `+ 1 ${ts(12)}`]]), '+ 1 2024-01-01 00:00:10 1 2024-01-01 00:00:12');
  t.equal(await h.step(16, [['dl', left, ''], ['dr', right, '']]), '+ 2 2024-01-01 00:00:10 null null', 'row 2 can no longer match: padded once');
  t.equal(await count(h.conn, 'op3_left'), 0, 'both left rows evicted');
  t.equal(await count(h.conn, 'op3_right'), 0, 'the right row is evicted too (rt < watermark + 0)');
  t.equal(await h.step(30, [['dl', left, ''], ['dr', right, '']]), '', 'nothing twice');
});

t.test('rank keeps the top rows per partition and retracts the displaced ones', async (t) => {
  const input = [field('k', 'VARCHAR'), field('v', 'BIGINT')];
  const node: IncrementalNode = {
    kind: 'rank', id: 'op2', input: scan('op1', input), rankFunction: 'row_number', partitionBy: ['k'],
    orderBy: [{ expr: '"v"', descending: true, nullsFirst: null }], limit: 2, rankField: 'rn', windowEnd: null,
    fields: [...input, field('rn', 'BIGINT')], changelog: 'retracting', state: [], rowsTable: 'op2_rows',
  };
  const h = await harness(node, ['din']);
  t.equal(await h.step(null, [['din', input, '+ a 1\n+ a 5\n+ a 3']]), '+ a 3 2\n+ a 5 1');
  t.equal(await h.step(null, [['din', input, '+ a 4']]), '+ a 4 2\n- a 3 2');
  t.equal(await count(h.conn, 'op2_rows'), 2, 'an append-only input keeps only rows that can still rank');
});

t.test('session windows emit a session when the watermark passes its end', async (t) => {
  const input = [field('k', 'VARCHAR'), field('ts', 'TIMESTAMP')];
  const node: IncrementalNode = {
    kind: 'session_window', id: 'op2', input: scan('op1', input), timeField: 'ts', gapMicros: 5 * S, partitionBy: ['k'],
    fields: [...input, field('window_start', 'TIMESTAMP'), field('window_end', 'TIMESTAMP')], changelog: 'append-only', state: [], rowsTable: 'op2_rows',
  };
  const h = await harness(node, ['din']);
  t.equal(await h.step(null, [['din', input, `+ a ${ts(1)}\n+ a ${ts(4)}\n+ a ${ts(20)}\n+ b ${ts(2)}`]]), '');
  t.equal(await h.step(10, [['din', input, '']]),
    ['+ a 2024-01-01 00:00:01 2024-01-01 00:00:01 2024-01-01 00:00:09', '+ a 2024-01-01 00:00:04 2024-01-01 00:00:01 2024-01-01 00:00:09',
      '+ b 2024-01-01 00:00:02 2024-01-01 00:00:02 2024-01-01 00:00:07'].join('\n'));
  t.equal(await count(h.conn, 'op2_rows'), 1, 'only the open session at 00:00:20 stays');
});
