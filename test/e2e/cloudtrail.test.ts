/**
 * sql-examples/cloudtrail-to-parquet.sql on generated CloudTrail files, as a job run with `eddy run`
 * twice: the output read back with DuckDB equals the input, and the second run reads only new files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { runScript } from '../../src/cli/run.js';
import { readManifest } from '../../src/connectors/sinks/file/manifest.js';
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
function writeDay(day: number, files: number, perFile: number): void {
  for (let f = 0; f < files; f++) {
    const records = Array.from({ length: perFile }, () => record(day));
    written.push(...records);
    const path = join(dir, 'cloudtrail', 'AWSLogs', '123456789012', 'CloudTrail', 'us-east-1', '2024', '03', String(day).padStart(2, '0'), `123456789012_CloudTrail_us-east-1_${day}_${fileNo++}.json.gz`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
}

async function job(): Promise<void> {
  const cwd = process.cwd();
  process.chdir(dir); // the example's paths are relative to where eddy runs
  const err: string[] = [];
  try {
    const code = await runScript({ file: join(root, 'sql-examples', 'cloudtrail-to-parquet.sql'), dataDir: join(dir, 'job'), format: 'csv' }, { out: () => undefined, err: (s) => err.push(s) });
    t.equal(code, 0, err.join(''));
  } finally {
    process.chdir(cwd);
  }
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
