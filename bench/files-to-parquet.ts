/**
 * JSON-lines files -> Parquet partitioned by day: Eddy (file source -> parquet sink, one job drained
 * to the end) against DuckDB doing the same conversion in one COPY statement, side by side in one run.
 *
 *   node --import @tapjs/typescript/import bench/files-to-parquet.ts [files=20] [rows_per_file=20000] [gzip]
 *
 * With `gzip` the files are .json.gz (which Eddy checks to their end before reading them).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, quoteLiteral } from '../src/duck/index.js';
import { Engine } from '../src/engine/index.js';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';

const files = Number(process.argv[2] ?? 20);
const perFile = Number(process.argv[3] ?? 20000);
const gzip = process.argv[4] === 'gzip';
const ext = gzip ? 'json.gz' : 'json';
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-parquet-'));
const input = join(dir, 'in');
mkdirSync(input);

const db = await Database.open(':memory:');
const conn = await db.connect();
for (let f = 0; f < files; f++) {
  await conn.run(`COPY (SELECT ${f * perFile} + i AS id, DATE '2024-01-01' + ((i % 7)::INT) AS day, 'user' || (i % 1000) AS user_name,
      (i * 37) % 10000 / 100.0 AS amount, 'GET /item/' || i AS request
    FROM range(${perFile}) t(i)) TO ${quoteLiteral(join(input, `f${String(f).padStart(4, '0')}.${ext}`))} (FORMAT json${gzip ? ', COMPRESSION gzip' : ''})`);
}
const columns = `{'id': 'BIGINT', 'day': 'DATE', 'user_name': 'VARCHAR', 'amount': 'DOUBLE', 'request': 'VARCHAR'}`;

let t0 = performance.now();
await conn.run(`COPY (SELECT * FROM read_json(${quoteLiteral(join(input, `*.${ext}`))}, columns = ${columns}, format = 'newline_delimited'))
  TO ${quoteLiteral(join(dir, 'duck'))} (FORMAT parquet, PARTITION_BY (day))`);
const duckMs = performance.now() - t0;

t0 = performance.now();
const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir: join(dir, 'data') });
await engine.execute(`CREATE SOURCE src (id BIGINT, day DATE, user_name VARCHAR, amount DOUBLE, request VARCHAR)
  WITH (connector = 'file', path = ${quoteLiteral(join(input, `*.${ext}`))});
CREATE SINK lake AS SELECT * FROM src WITH (connector = 'parquet', path = ${quoteLiteral(join(dir, 'eddy'))}, partition_by = 'day', trigger = 'available_now');`);
await engine.drain();
await engine.close();
const eddyMs = performance.now() - t0;

const count = async (sub: string) => Number(await conn.scalar(`SELECT count(*) FROM read_parquet(${quoteLiteral(join(dir, sub, '**', '*.parquet'))})`));
const [duckRows, eddyRows] = [await count('duck'), await count('eddy')];
conn.close();
db.close();
rmSync(dir, { recursive: true, force: true });
if (duckRows !== eddyRows || eddyRows !== files * perFile) throw new Error(`row counts differ: duckdb ${duckRows}, eddy ${eddyRows}`);
const rows = files * perFile;
console.log(JSON.stringify({ files, rows, gzip, duckdbMs: Math.round(duckMs), eddyMs: Math.round(eddyMs), ratio: Number((eddyMs / duckMs).toFixed(2)),
  eddyRowsPerSecond: Math.round(rows / (eddyMs / 1000)), duckdbRowsPerSecond: Math.round(rows / (duckMs / 1000)) }));
