/**
 * Loading a push source with SQL: Eddy's `INSERT INTO <source> SELECT ...` of rows already of the
 * source's types, and the same rows as VALUES-like text that needs casts (staged, so that a bad value
 * is reported by row and column), against DuckDB's plain `INSERT INTO <table> SELECT ...`, side by
 * side in one run; and rows given as objects (HTTP's POST /v1/sources/:name/rows, without the
 * transport), a tenth as many.
 *
 *   npm run build && node dist/bench/push-insert.js [rows=1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-push-'));
const columns = 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR';
const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir: dir });
try {
  await engine.execute(`CREATE TABLE gen AS SELECT range AS auction, range * 7 AS bidder, range % 1000 AS price,
      'channel-' || (range % 10) AS channel, 'https://x/' || range AS url,
      TIMESTAMP '2024-01-01' + INTERVAL (range) MILLISECOND AS date_time, repeat('x', 100) AS extra FROM range(${rows})`);
  await engine.execute(`CREATE TABLE gen_text AS SELECT auction::VARCHAR AS auction, bidder, price, channel, url, date_time::VARCHAR AS date_time, extra FROM gen`);
  await engine.execute(`CREATE TABLE plain (${columns}); CREATE SOURCE typed (${columns}); CREATE SOURCE cast_needed (${columns}); CREATE SOURCE objects (${columns})`);
  const objectRows = Math.max(1, Math.floor(rows / 10));
  const objects = Array.from({ length: objectRows }, (_, i) => ({
    auction: i, bidder: i * 7, price: i % 1000, channel: `channel-${i % 10}`, url: `https://x/${i}`,
    date_time: new Date(Date.UTC(2024, 0, 1) + i).toISOString(), extra: 'x'.repeat(100),
  }));
  const time = async (sql: string): Promise<number> => {
    const t0 = performance.now();
    await engine.execute(sql);
    return (performance.now() - t0) / 1000;
  };
  for (let round = 1; round <= 3; round++) {
    const duck = await time('INSERT INTO plain SELECT * FROM gen');
    const typed = await time('INSERT INTO typed SELECT * FROM gen');
    const staged = await time('INSERT INTO cast_needed SELECT * FROM gen_text');
    const t0 = performance.now();
    await engine.appendRows('objects', objects);
    const appended = (performance.now() - t0) / 1000;
    console.log(`round ${round}: ${rows} rows: DuckDB table ${duck.toFixed(2)} s, push source (typed) ${typed.toFixed(2)} s, ` +
      `push source (casts, staged) ${staged.toFixed(2)} s; typed / DuckDB ${(typed / duck).toFixed(2)}; ${objectRows} rows as objects ${appended.toFixed(2)} s`);
  }
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
