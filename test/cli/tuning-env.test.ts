/** The EDDY_* variables `eddy` and the bench harness read become the engine's options. */
import t from 'tap';
import { engineTuningFromEnv } from '../../src/cli/tuning-env.js';
import { Database } from '../../src/duck/index.js';

t.test('each variable sets its option; unset or empty ones leave the defaults', async (t) => {
  t.same(engineTuningFromEnv({}), {
    duckdb: { threads: undefined, threadsQuietMs: undefined, checkpointThreshold: undefined },
    storage: { retryMinMs: undefined, retryMaxMs: undefined, waitMs: undefined },
    parseWorkerHeapMb: undefined,
    tuning: {},
  });
  t.same(engineTuningFromEnv({ EDDY_DUCKDB_THREADS: '', EDDY_STORAGE_WAIT_MS: ' ' }).duckdb?.threads, undefined);
  t.same(
    engineTuningFromEnv({
      EDDY_DUCKDB_THREADS: '3',
      EDDY_THREADS_QUIET_MS: '0',
      EDDY_DUCKDB_CHECKPOINT_THRESHOLD: '64KB',
      EDDY_STORAGE_RETRY_MIN_MS: '100',
      EDDY_STORAGE_RETRY_MAX_MS: '500',
      EDDY_STORAGE_WAIT_MS: '300',
      EDDY_PARSE_WORKER_HEAP_MB: '64',
      EDDY_IDLE_POLL_MS: '20',
      EDDY_RETRY_MIN_MS: '100',
      EDDY_RETRY_MAX_MS: '500',
      EDDY_DRAIN_RETRY_MS: '1500',
    }),
    {
      duckdb: { threads: 3, threadsQuietMs: 0, checkpointThreshold: '64KB' },
      storage: { retryMinMs: 100, retryMaxMs: 500, waitMs: 300 },
      parseWorkerHeapMb: 64,
      tuning: { idlePollMs: 20, retryMinMs: 100, retryMaxMs: 500, drainRetryMs: 1500 },
    },
  );
});

t.test('a value that is not a number of the right kind is an error naming the variable', async (t) => {
  t.throws(() => engineTuningFromEnv({ EDDY_DUCKDB_THREADS: '1.5' }), { code: 'INVALID_PARAMETER', message: /EDDY_DUCKDB_THREADS/ });
  t.throws(() => engineTuningFromEnv({ EDDY_DUCKDB_THREADS: '0' }), { code: 'INVALID_PARAMETER' });
  t.throws(() => engineTuningFromEnv({ EDDY_STORAGE_WAIT_MS: 'soon' }), { code: 'INVALID_PARAMETER', message: /EDDY_STORAGE_WAIT_MS/ });
  t.throws(() => engineTuningFromEnv({ EDDY_PARSE_WORKER_HEAP_MB: '-1' }), { code: 'INVALID_PARAMETER', message: /EDDY_PARSE_WORKER_HEAP_MB/ });
  t.throws(() => engineTuningFromEnv({ EDDY_RETRY_MIN_MS: '-5' }), { code: 'INVALID_PARAMETER', message: /EDDY_RETRY_MIN_MS/ });
});

t.test('EDDY_DUCKDB_THREADS pins DuckDB\'s threads, overriding one per core', async (t) => {
  const db = await Database.open(':memory:', engineTuningFromEnv({ EDDY_DUCKDB_THREADS: '2' }).duckdb);
  const conn = await db.connect();
  t.teardown(() => {
    conn.close();
    db.close();
  });
  t.equal(Number(await conn.scalar("SELECT current_setting('threads')")), 2);
  t.equal(db.threads.adaptive, false);
  t.equal(db.threads.max, 2);
});
