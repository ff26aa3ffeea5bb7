/**
 * sql-examples/cloudtrail-to-parquet.sql on generated CloudTrail files, as a job run with `eddy run`
 * twice: the output read back with DuckDB equals the input, and the second run reads only new files.
 * A corrupt and a truncated log among them are skipped and counted; the job completes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { runScript } from '../../src/cli/run.js';
import { readManifest } from '../../src/connectors/file/manifest.js';
import { Database, quoteLiteral } from '../../src/duck/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'eddy-cloudtrail-'));
t.teardown(() => { if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); });

interface TrailRecord {
  eventVersion: string; eventTime: string; eventSource: string; eventName: string; awsRegion: string;
  sourceIPAddress: string; userAgent: string; userIdentity: { type: string; arn: string };
  requestParameters: Record<string, unknown> | null; errorCode?: string; eventID: string; readOnly: boolean; recipientAccountId: string;
}

const NAMES = ['GetObject', 'PutObject', 'AssumeRole', 'DescribeInstances', 'ConsoleLogin'];
let next = 0;
function record(day: number): TrailRecord {
  const i = next++;
  return {
    eventVersion: '1.08',
    eventTime: `2024-03-${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07Z`,
    eventSource: 's3.amazonaws.com',
    eventName: NAMES[i % NAMES.length]!,
    awsRegion: i % 2 ? 'eu-west-1' : 'us-east-1',
    sourceIPAddress: `10.0.${i % 256}.${(i * 7) % 256}`,
    userAgent: 'aws-cli/2.15',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::123456789012:user/u${i % 7}` },
    requestParameters: i % 3 === 0 ? null : { bucketName: `b${i % 4}`, key: `k/${i}` },
    ...(i % 11 === 0 ? { errorCode: 'AccessDenied' } : {}),
    eventID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    readOnly: i % 2 === 0,
    recipientAccountId: '123456789012',
  };
}

const written: TrailRecord[] = [];
let fileNo = 0;
/** CloudTrail's layout: AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz */
function logPath(base: string, day: number): string {
  return join(base, 'cloudtrail', 'AWSLogs', '123456789012', 'CloudTrail', 'us-east-1', '2024', '03', String(day).padStart(2, '0'), `123456789012_CloudTrail_us-east-1_${day}_${fileNo++}.json.gz`);
}

function writeDay(day: number, files: number, perFile: number, base = dir, into = written): void {
  for (let f = 0; f < files; f++) {
    const records = Array.from({ length: perFile }, () => record(day));
    into.push(...records);
    const path = logPath(base, day);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
}

/** Runs the example (and `extra` statements after it) in `base`; returns what it printed. */
async function job(base = dir, extra = ''): Promise<string> {
  const cwd = process.cwd();
  process.chdir(base); // the example's paths are relative to where eddy runs
  const out: string[] = [];
  const err: string[] = [];
  try {
    let file = join(root, 'sql-examples', 'cloudtrail-to-parquet.sql');
    if (extra !== '') {
      file = join(base, 'job.sql');
      writeFileSync(file, `${readFileSync(join(root, 'sql-examples', 'cloudtrail-to-parquet.sql'), 'utf8')}\n${extra}`);
    }
    const code = await runScript({ file, dataDir: join(base, 'job'), format: 'json' }, { out: (s) => out.push(s), err: (s) => err.push(s) });
    t.equal(code, 0, err.join(''));
  } finally {
    process.chdir(cwd);
  }
  return out.join('');
}

t.test('cloudtrail-to-parquet: flattened, partitioned by day, equal to the input; a second run reads only new files', async (t) => {
  writeDay(1, 3, 40);
  writeDay(2, 2, 25);
  await job();
  const lake = join(dir, 'cloudtrail-lake');
  const first = await readManifest(lake);
  t.equal(first.reduce((n, e) => n + e.rows, 0), 170);

  writeDay(2, 1, 10); // more for a day already written
  writeDay(3, 2, 5);
  await job();
  const second = await readManifest(lake);
  t.equal(second.length - first.length, 1, 'the second run commits one batch');
  t.equal(second[second.length - 1]!.rows, 20, 'holding only the new files\' records');

  const db = await Database.open(':memory:');
  const conn = await db.connect();
  t.teardown(() => { conn.close(); db.close(); });
  await conn.run(`CREATE TABLE expected (event_id VARCHAR, event_time TIMESTAMP, event_name VARCHAR, aws_region VARCHAR, user_arn VARCHAR, request_parameters JSON, error_code VARCHAR, read_only BOOLEAN, event_date DATE)`);
  await conn.append('expected', undefined, written.map((r) => [r.eventID, r.eventTime.replace('T', ' ').replace('Z', ''), r.eventName, r.awsRegion, r.userIdentity.arn,
    r.requestParameters === null ? null : JSON.stringify(r.requestParameters), r.errorCode ?? null, r.readOnly, r.eventTime.slice(0, 10)]));
  const actual = `(SELECT event_id, event_time, event_name, aws_region, user_arn, request_parameters::JSON AS request_parameters, error_code, read_only, event_date
    FROM read_parquet(${quoteLiteral(join(lake, '**', '*.parquet'))}, hive_partitioning = true))`;
  const diff = await conn.query(`(SELECT * FROM expected EXCEPT ALL SELECT * FROM ${actual}) UNION ALL (SELECT * FROM ${actual} EXCEPT ALL SELECT * FROM expected)`);
  t.same(diff.rows, [], 'the Parquet table holds exactly the input records');
  t.equal(Number(await conn.scalar(`SELECT count(*) FROM ${actual}`)), written.length);
  const days = await conn.query(`SELECT DISTINCT regexp_extract(filename, 'event_date=([0-9-]+)', 1) AS d FROM read_parquet(${quoteLiteral(join(lake, '**', '*.parquet'))}, filename = true) ORDER BY d`);
  t.same(days.rows.map((r) => r[0]), ['2024-03-01', '2024-03-02', '2024-03-03'], 'one directory per day');
  t.match(readFileSync(join(root, 'sql-examples', 'cloudtrail-to-parquet.sql'), 'utf8'), /records = 'Records'/);
});

t.test('a corrupt and a truncated log among good ones: skipped, counted and named; the job completes', async (t) => {
  const base = join(dir, 'with-bad-files');
  const good: TrailRecord[] = [];
  writeDay(4, 2, 30, base, good);
  const corrupt = logPath(base, 4);
  writeFileSync(corrupt, 'this is not gzip');
  const whole = gzipSync(JSON.stringify({ Records: Array.from({ length: 500 }, () => record(4)) }));
  const truncated = logPath(base, 4);
  writeFileSync(truncated, whole.subarray(0, whole.length - 100));
  writeDay(4, 1, 12, base, good);
  const printed = await job(base, 'SHOW PROGRESS cloudtrail_lake;');
  const manifest = await readManifest(join(base, 'cloudtrail-lake'));
  t.equal(manifest.reduce((n, e) => n + e.rows, 0), good.length, 'every record of the good files, once');
  const progress = printed.trim().split('\n').map((l) => JSON.parse(JSON.parse(l).progress));
  const sources = progress.flatMap((p) => p.sources);
  t.equal(sources.reduce((n, s) => n + (s.numSkippedInputs ?? 0), 0), 2, 'both counted');
  t.same(sources.flatMap((s) => s.skippedInputs ?? []).map((s: { input: string; message: string }) => [s.input, s.message.replace(/ at byte \d+/, '')]).sort(), [
    [corrupt, 'not in gzip format (no gzip header)'],
    [truncated, 'truncated: its gzip stream stops, before its end'],
  ].sort());
  const again = await job(base);
  t.equal(again, '', 'a second run has nothing to do');
  t.equal((await readManifest(join(base, 'cloudtrail-lake'))).length, manifest.length);
});
