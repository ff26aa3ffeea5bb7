/** Over real psql: a CREATE MATERIALIZED VIEW waiting for a long backfill shows its progress as NOTICEs, then the view is ready. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Engine } from '../../src/engine/index.js';
import { PgServer } from '../../src/server/pgwire/server.js';

const PSQL = '/usr/bin/psql';

t.test('psql prints backfill NOTICEs while the CREATE runs, and a SELECT right after sees the answer', { skip: fs.existsSync(PSQL) ? false : 'psql is not installed' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-psql-backfill-'));
  const engine = await Engine.open({ dataDir: dir, tuning: { backfillNoticeMs: 100 } });
  const server = await PgServer.start(engine, { port: 0 });
  t.teardown(async () => {
    await server.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await engine.execute('CREATE SOURCE s (k INT); INSERT INTO s SELECT range % 7 FROM range(5000)');
  const sql = 'CREATE MATERIALIZED VIEW slow WITH (max_rows_per_batch = 50) AS SELECT k, count(*) AS n FROM s GROUP BY k; SELECT sum(n) FROM slow;';
  const { out, err } = await new Promise<{ out: string; err: string }>((resolve) => {
    execFile(PSQL, ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'tester', '-d', 'eddy', '-c', sql], { timeout: 120_000 }, (_e, o, e) => resolve({ out: o, err: e }));
  });
  t.match(err, /NOTICE: {2}"slow": backfilling for \d+ s/, 'progress notices');
  t.match(out, /^5000$/m, 'the view answers at once');
});
