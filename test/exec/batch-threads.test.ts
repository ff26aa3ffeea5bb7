import { availableParallelism } from 'node:os';
import t from 'tap';
import { skip } from '../support/skip.js';
import { openTempEngine } from '../support/temp-engine.js';

t.test('small batches run on one DuckDB thread; a big batch, the batch after it and a user query on every core', async (t) => {
  const cores = availableParallelism();
  if (cores < 2) {
    skip(t, 'one core: there is nothing to adapt');
    return;
  }
  // no quiet time, and threads not pinned
  const engine = await openTempEngine(t, 'batch-threads', { duckdb: { threadsQuietMs: 0 } });
  t.equal(engine.duckdbThreads, cores, 'every core at start');
  await engine.execute('CREATE SOURCE s (id BIGINT); CREATE MATERIALIZED VIEW n AS SELECT count(*) AS c FROM s');
  const append = async (sql: string) => {
    await engine.execute(sql);
    await engine.drain();
  };
  await append('INSERT INTO s VALUES (1)');
  await append('INSERT INTO s VALUES (2)');
  t.equal(engine.duckdbThreads, 1, 'a small batch, with no bulk work before it, lowers DuckDB to one thread');

  await engine.execute('INSERT INTO s SELECT range FROM range(100000)');
  t.equal(engine.duckdbThreads, cores, 'an INSERT ... SELECT is bulk work');
  await engine.drain();
  t.equal(engine.duckdbThreads, cores, 'a big batch leaves every core');
  await append('INSERT INTO s VALUES (3)');
  t.equal(engine.duckdbThreads, cores, 'the batch after a big one runs as bulk work');
  await append('INSERT INTO s VALUES (4)');
  t.equal(engine.duckdbThreads, 1, 'small batches again: one thread');

  const [result] = await engine.execute('SELECT c FROM n');
  t.same(result!.rows, [[100004n]]);
  t.equal(engine.duckdbThreads, cores, "a user's query runs on every core");
  const progress = engine.progress('n');
  t.ok(progress.some((p) => p.numInputRows === 100000), 'the big batch was one batch');
});
