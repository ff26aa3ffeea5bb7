/**
 * Engine.close lets go of the database files: every connection, the queries' included, is closed,
 * so another process can open the data directory's database right away (DuckDB locks its file for
 * as long as any connection of its instance is open).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

/** Opens `file` with DuckDB in another process; its output, or the error it printed. */
function openElsewhere(file: string): string {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(process.argv[1]);
    const conn = await db.connect();
    const rows = await (await conn.run('SELECT count(*) FROM __push_clicks')).getRows();
    console.log('opened, ' + rows[0][0] + ' rows');`;
  try {
    return execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { cwd: process.cwd(), encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? (e as Error).message).split('\n').find((l) => /Error/.test(l)) ?? 'failed';
  }
}

t.test('after close, another process can open the database of an engine that ran a materialized view', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-close-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const engine = await Engine.open({ dataDir });
  await engine.execute("CREATE SOURCE clicks (id BIGINT); CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM clicks; INSERT INTO clicks VALUES (1), (2)");
  await engine.drain();
  await engine.close();
  t.equal(openElsewhere(path.join(dataDir, 'eddy.duckdb')), 'opened, 2 rows');
});
