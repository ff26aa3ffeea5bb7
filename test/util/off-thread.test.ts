/** Large inputs run on the worker thread, small ones where they are called; errors cross intact. */
import t from 'tap';
import { asEddyError, EddyError } from '../../src/util/errors.js';
import { OFF_THREAD_MIN_CHARS, offThreadAbove, resultAsJson, setOffThreadHeapMb } from '../../src/util/off-thread.js';
import * as tasks from './fixtures/off-thread-tasks.js';

// A small heap, so that exhausting it is quick; read when the worker starts.
setOffThreadHeapMb(64);

const TASKS = new URL('./fixtures/off-thread-tasks.js', import.meta.url).href;
const bySize = (text: string): number => text.length;
const small = 'x';
const large = 'x'.repeat(OFF_THREAD_MIN_CHARS);

t.test('a small input runs on the calling thread, a large one on the worker', async (t) => {
  const threadOf = offThreadAbove(TASKS, 'threadOf', tasks.threadOf, bySize);
  t.equal(await threadOf(small), 'main');
  t.equal(await threadOf(large), 'worker');
  t.same(await Promise.all([threadOf(large), threadOf(small), threadOf(large)]), ['worker', 'main', 'worker']);
});

t.test('an EddyError thrown on the worker arrives with its code, position and hint', async (t) => {
  const fail = offThreadAbove(TASKS, 'failWithPosition', tasks.failWithPosition, bySize);
  const error = (await fail(large).catch((e: unknown) => e)) as EddyError;
  t.ok(error instanceof EddyError);
  t.equal(error.sqlstate, '42601');
  t.same(error.position, { offset: 9, line: 2, column: 3 });
  t.equal(error.hint, 'fix it');
});

t.test("a stack overflow on the worker is still a stack overflow here (54001 once wrapped)", async (t) => {
  const overflow = offThreadAbove(TASKS, 'overflowStack', tasks.overflowStack, bySize);
  const error = await overflow(large).catch((e: unknown) => e);
  t.ok(error instanceof RangeError);
  t.equal(asEddyError(error).sqlstate, '54001');
});

t.test('a task that exhausts the worker heap fails alone with 54000; the next task gets a new worker', async (t) => {
  const exhaust = offThreadAbove(TASKS, 'exhaustHeap', tasks.exhaustHeap, bySize);
  const threadOf = offThreadAbove(TASKS, 'threadOf', tasks.threadOf, bySize);
  const error = (await exhaust(large).catch((e: unknown) => e)) as EddyError;
  t.equal(error.sqlstate, '54000');
  t.match(error.message, /needs more than the parser's \d+ MB of memory/);
  t.equal(await threadOf(large), 'worker');
});

t.test('results cross as JSON only when JSON holds them exactly', async (t) => {
  t.equal(resultAsJson([{ a: 1, b: 'x', c: null, d: [true] }]), '[{"a":1,"b":"x","c":null,"d":[true]}]');
  for (const inexact of [{ a: undefined }, [undefined], { n: Number.NaN }, { n: -0 }, { n: 1n }, { d: new Date(0) }]) {
    t.equal(resultAsJson(inexact), null, JSON.stringify(inexact, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
});
