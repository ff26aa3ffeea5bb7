/**
 * Object names that look like paths (`..`, `.`, `../../victim`, `a/b`, `a\b`), unicode, names at and
 * over the 63-byte limit, control characters and names differing only in case, for every object kind
 * through the Engine API: CREATE succeeds or refuses with the right SQLSTATE, nothing outside the data
 * directory is touched, every object comes back after a restart (queries resuming, not restarting),
 * and DROP and CREATE again work.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Engine } from '../../src/engine/index.js';
import { ErrorCodes, type ErrorCode } from '../../src/util/errors.js';

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Names a CREATE must accept, each kept inside the data directory. */
const ACCEPTED = ['..', '.', '../../victim', 'a/b', 'a\\b', 'Zürich 🌊 データ', 'Mixed', 'x'.repeat(63), `it's "quoted"`];
/** Names a CREATE must refuse, with the error it refuses them with. */
const REFUSED: readonly (readonly [string, ErrorCode])[] = [
  ['a\u0000b', 'INVALID_NAME'],
  ['tab\there', 'INVALID_NAME'],
  ['x'.repeat(1000), 'NAME_TOO_LONG'],
  ['ü'.repeat(32), 'NAME_TOO_LONG'], // 32 characters, 64 bytes
  ['mixed', 'DUPLICATE_OBJECT'], // DuckDB, which holds both, would take it for "Mixed"
];

interface KindCase {
  readonly kind: string;
  /** Run before the objects are created: the source the views and queries read. */
  readonly setup: string;
  create(name: string, out: string): string;
  /** How many rows the object shows. */
  count(engine: Engine, name: string, out: string): Promise<number>;
  /** Whether its rows come from `src` (else each object gets its own INSERTs). */
  readonly readsSrc: boolean;
  readonly continuous: boolean;
}

async function scalar(engine: Engine, sql: string): Promise<number> {
  const [result] = await engine.execute(sql);
  return Number(result!.rows[0]![0]);
}

/** Rows a file sink wrote (every committed .jsonl file under its path, one row a line). */
function sinkRows(out: string): number {
  let rows = 0;
  for (const f of readdirSync(out, { recursive: true }).map(String)) {
    if (f.startsWith('_') || !f.endsWith('.jsonl')) continue;
    rows += readFileSync(join(out, f), 'utf8').split('\n').filter((l) => l !== '').length;
  }
  return rows;
}

const SRC = 'CREATE SOURCE src (x INTEGER); INSERT INTO src VALUES (1), (2);';
const KINDS: readonly KindCase[] = [
  { kind: 'source', setup: '', readsSrc: false, continuous: false, create: (n) => `CREATE SOURCE ${ident(n)} (x INTEGER)`, count: (e, n) => scalar(e, `SELECT count(*) FROM ${ident(n)}`) },
  { kind: 'table', setup: '', readsSrc: false, continuous: false, create: (n) => `CREATE TABLE ${ident(n)} (x INTEGER)`, count: (e, n) => scalar(e, `SELECT count(*) FROM ${ident(n)}`) },
  { kind: 'view', setup: SRC, readsSrc: true, continuous: false, create: (n) => `CREATE VIEW ${ident(n)} AS SELECT x FROM src`, count: (e, n) => scalar(e, `SELECT count(*) FROM ${ident(n)}`) },
  {
    kind: 'materialized view', setup: SRC, readsSrc: true, continuous: true,
    create: (n) => `CREATE MATERIALIZED VIEW ${ident(n)} AS SELECT count(*) AS n FROM src`,
    count: (e, n) => scalar(e, `SELECT n FROM ${ident(n)}`),
  },
  {
    kind: 'sink', setup: SRC, readsSrc: true, continuous: true,
    create: (n, out) => `CREATE SINK ${ident(n)} FROM src WITH (connector = 'jsonl', path = ${literal(out)})`,
    count: async (_e, _n, out) => sinkRows(out),
  },
];

for (const k of KINDS) {
  t.test(`${k.kind}s with hostile names stay inside the data directory and survive a restart`, async (t) => {
    // The data directory is root/a/b: `../../victim` under its queries/ would be root/a/victim.
    const root = mkdtempSync(join(tmpdir(), 'eddy-names-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const dataDir = join(root, 'a', 'b');
    mkdirSync(join(root, 'a', 'victim'), { recursive: true });
    writeFileSync(join(root, 'a', 'victim', 'keep.txt'), 'sentinel');
    writeFileSync(join(root, 'a', 'keep.txt'), 'sentinel');
    const out = (i: number, round: string): string => join(root, 'out', `${round}${i}`);
    const sentinelsIntact = (when: string): void => {
      t.same(readdirSync(join(root, 'a')).sort(), ['b', 'keep.txt', 'victim'], `${when}: nothing appeared next to the data directory`);
      t.same(readdirSync(join(root, 'a', 'victim')), ['keep.txt'], `${when}: the sentinel directory is untouched`);
      t.same(readdirSync(root).sort(), k.kind === 'sink' ? ['a', 'out'] : ['a'], `${when}: nothing appeared in the root`);
    };
    const feed = async (engine: Engine, values: string): Promise<void> => {
      if (k.readsSrc) await engine.execute(`INSERT INTO src VALUES ${values}`);
      else for (const name of ACCEPTED) await engine.execute(`INSERT INTO ${ident(name)} VALUES ${values}`);
    };

    let engine = await Engine.open({ dataDir });
    t.teardown(() => engine.close()); // the engine open when the test ends, even a failing one
    if (k.setup) await engine.execute(k.setup);
    for (const [i, name] of ACCEPTED.entries()) {
      const [result] = await engine.execute(k.create(name, out(i, 'first')));
      t.equal(result!.tag.startsWith('CREATE'), true, `CREATE ${k.kind} ${JSON.stringify(name)}`);
    }
    for (const [name, code] of REFUSED) {
      await t.rejects(engine.execute(k.create(name, out(99, 'refused'))), { code, sqlstate: ErrorCodes[code].sqlstate }, `${JSON.stringify(name.slice(0, 40))} is refused with ${code}`);
    }
    if (!k.readsSrc) await feed(engine, '(1), (2)');
    await engine.drain();
    for (const [i, name] of ACCEPTED.entries()) t.equal(await k.count(engine, name, out(i, 'first')), 2, `${JSON.stringify(name)} shows its rows`);
    const batches = new Map(engine.queries().map((q) => [q.name, q.lastBatch ?? -1]));
    await engine.close();
    sentinelsIntact('after the first run');

    engine = await Engine.open({ dataDir });
    t.same(engine.warnings, [], 'the restart has nothing to warn about');
    const kindName = k.kind.replace(' ', '_');
    t.same(engine.catalog.list().filter((o) => o.kind === kindName).map((o) => o.name).sort(), [...ACCEPTED].sort(), 'every object is back, no refused one');
    await feed(engine, '(3)');
    await engine.drain();
    for (const [i, name] of ACCEPTED.entries()) t.equal(await k.count(engine, name, out(i, 'first')), 3, `${JSON.stringify(name)} resumed with its rows`);
    for (const q of engine.queries()) t.ok((q.lastBatch ?? -1) > batches.get(q.name)!, `"${q.name}" went on from batch ${batches.get(q.name)} (resumed, not restarted)`);

    for (const name of ACCEPTED) await engine.execute(`DROP ${k.kind.toUpperCase()} ${ident(name)}`);
    t.same(engine.catalog.list().filter((o) => o.kind === kindName), [], 'all dropped');
    if (k.continuous) t.same(readdirSync(join(dataDir, 'queries')), [], 'DROP removed every checkpoint directory');
    for (const [i, name] of ACCEPTED.entries()) await engine.execute(k.create(name, out(i, 'again')));
    if (!k.readsSrc) await feed(engine, '(1), (2), (3)');
    await engine.drain();
    for (const [i, name] of ACCEPTED.entries()) t.equal(await k.count(engine, name, out(i, 'again')), 3, `${JSON.stringify(name)} created again`);
    await engine.close();
    sentinelsIntact('after DROP and CREATE again');
  });
}
