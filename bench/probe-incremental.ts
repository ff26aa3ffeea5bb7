// scratch probe (not committed)
import { EddySession, querySql, sourcesSql } from './nexmark/eddy-session.js';
import { loadQueries } from './nexmark/queries.js';
import { profileStatements } from '../src/duck/statement-profile.js';
const [q] = loadQueries([process.argv[2] ?? 'q5']);
const s = await EddySession.open();
const retained = Number(process.argv[3] ?? 1000000);
await s.engine.execute(sourcesSql(q!.sources, { eventsPerSecond: 10000, startTimeMs: Date.now() - retained / 10 }));
await s.engine.execute(querySql(q!, 'v', 'view', { max_rows_per_batch: 100000 }));
await s.engine.drain();
const p = profileStatements(true)!;
const t0 = performance.now();
let n = 0;
for (let i = 0; i < 20; i++) { await new Promise((r) => setTimeout(r, 50)); const t1 = performance.now(); await s.engine.drain(); n++; console.log('drain ms', (performance.now() - t1).toFixed(1)); }
profileStatements(false);
for (const x of p.top(12)) console.log(x.totalMs.toFixed(1).padStart(8), String(x.count).padStart(4), x.shape.slice(0, 150));
const top = p.top(1)[0]!.shape;
console.log(top);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const db = (s.engine as any).ctx.db;
const conn = await db.connect();
await s.engine.execute("ALTER MATERIALIZED VIEW v PAUSE");
if (process.argv[4]) {
  const sql = process.argv[4];
  await conn.run('CREATE TEMP TABLE d_op2 AS SELECT * FROM q_v.main.op6_left LIMIT 0');
  await conn.run('CREATE TEMP TABLE eddy_watermark AS SELECT 0::BIGINT AS wm');
  const r = await conn.query(`EXPLAIN ANALYZE ${sql}`);
  console.log(String(r.rows[0]![1]));
}
await s.close();
