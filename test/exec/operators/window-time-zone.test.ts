/**
 * Windows over TIMESTAMPTZ event times are the same instants whatever the host's time zone: DuckDB
 * takes its session time zone from the host (TZ), and a window bound built by casting a TIMESTAMP to
 * TIMESTAMPTZ was read in it (a TUMBLE window started five hours late in New York). Each run is a
 * child process (the built engine, test/support/checkpoint-child.mjs) with its own TZ.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { builtEngineMissing } from '../../support/crash-runs.js';

const CHILD = fileURLToPath(new URL('../../support/checkpoint-child.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'eddy-window-tz-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

const SCRIPT = `
CREATE SOURCE s (u BIGINT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE MATERIALIZED VIEW hourly WITH (output_mode = 'append') AS
  SELECT u, window_start, window_end, count(*) AS n FROM TUMBLE(s, ts, INTERVAL '1' HOUR) GROUP BY u, window_start, window_end;
CREATE MATERIALIZED VIEW visits WITH (output_mode = 'append') AS
  SELECT u, window_start, window_end, count(*) AS n FROM SESSION(s, ts, INTERVAL '10' MINUTE, u) GROUP BY u, window_start, window_end;
INSERT INTO s VALUES (1, '2024-03-10 06:30:00+00'), (1, '2024-03-10 06:35:00+00'), (2, '2024-03-10 07:05:00+00');
INSERT INTO s VALUES (3, '2024-03-10 09:00:00+00');
SELECT u, epoch_us(window_start) AS ws, epoch_us(window_end) AS we, n FROM hourly ORDER BY u;
SELECT u, epoch_us(window_start) AS ws, epoch_us(window_end) AS we, n FROM visits ORDER BY u;
`;

const us = (iso: string): string => String(BigInt(Date.parse(iso)) * 1000n);

t.test('TUMBLE and SESSION bounds over TIMESTAMPTZ are UTC instants in any host time zone', { skip: builtEngineMissing() }, async (t) => {
  const script = join(root, 'script.sql');
  writeFileSync(script, SCRIPT);
  const expected = [
    [
      { u: 1, ws: us('2024-03-10T06:00:00Z'), we: us('2024-03-10T07:00:00Z'), n: 2 },
      { u: 2, ws: us('2024-03-10T07:00:00Z'), we: us('2024-03-10T08:00:00Z'), n: 1 },
    ],
    [
      { u: 1, ws: us('2024-03-10T06:30:00Z'), we: us('2024-03-10T06:45:00Z'), n: 2 },
      { u: 2, ws: us('2024-03-10T07:05:00Z'), we: us('2024-03-10T07:15:00Z'), n: 1 },
    ],
  ];
  // New York changes to daylight time at 07:00 UTC that day; Kolkata is off by half an hour.
  for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
    const run = spawnSync(process.execPath, [CHILD, join(root, tz.replace('/', '_')), script], { env: { ...process.env, TZ: tz, EDDY_FAULT: '' }, encoding: 'utf8' });
    t.equal(run.status, 0, `${tz}: ${run.stderr}`);
    const results = run.stdout.split('\n').filter((l) => l.startsWith('result ')).map((l) => JSON.parse(l.slice('result '.length)) as unknown);
    t.same(results, expected, `${tz}: the windows' bounds`);
  }
});
