/**
 * How one batch's files reach the output directory exactly once (docs/design/20261122-file-sinks.md):
 *
 * 1. COPY writes them into `_tmp/<run>-<batch>/`, named `*.<ext>.tmp` so no reader's glob matches.
 * 2. They are fsynced, and an intent `_tmp/<run>-<batch>.json` listing each move (temporary name ->
 *    final name) is written atomically. From here on the batch's file set is fixed.
 * 3. Each file is renamed into place as `<partition dirs>/part-<sink>-<run>-<batch>-<n>.<ext>`; a
 *    name that exists (an earlier attempt) is replaced.
 * 4. The batch's line is appended to `_eddy_manifest`; the intent and the temporary directory go.
 *
 * A crash before 2 leaves only temporary files, which the redelivery deletes and writes again; a crash
 * after 2 is rolled forward by the redelivery from the intent. Either way the batch ends up as exactly
 * one set of files, and a batch already in the manifest is not written again.
 */
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { faultPoint } from '../../util/fault.js';
import { dirname, join, relative, sep } from 'node:path';
import { EddyError } from '../../util/errors.js';
import { CHUNK_COLUMN, TMP_SUFFIX } from './copy-sql.js';
import { makeDir } from '../../util/make-dir.js';

export const TMP_DIR = '_tmp';

/** A batch's file set, fixed before anything moves into place. Paths are relative to the output directory. */
export interface BatchIntent {
  readonly batch: number;
  readonly rows: number;
  readonly moves: readonly (readonly [from: string, to: string])[];
}

export class BatchFiles {
  constructor(
    readonly outDir: string,
    /** The sink's name, made safe for file names. */
    private readonly sinkLabel: string,
    private readonly run: string,
    private readonly extension: string,
  ) {}

  tmpDir(batch: number): string {
    return join(this.outDir, TMP_DIR, `${this.run}-${batch}`);
  }

  private intentPath(batch: number): string {
    return join(this.outDir, TMP_DIR, `${this.run}-${batch}.json`);
  }

  /** Removes what an earlier attempt at `batch` left in `_tmp/`, and makes `_tmp/` exist. */
  async resetTmp(batch: number): Promise<void> {
    await rm(this.tmpDir(batch), { recursive: true, force: true });
    await makeDir(join(this.outDir, TMP_DIR));
  }

  async readIntent(batch: number): Promise<BatchIntent | undefined> {
    try {
      return JSON.parse(await readFile(this.intentPath(batch), 'utf8')) as BatchIntent;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // a torn intent cannot happen (it is renamed into place), so this is damage worth reporting
      throw new EddyError('IO_ERROR', `cannot read ${this.intentPath(batch)}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Step 2: fsyncs the batch's temporary files and fixes their final names in the intent. */
  async prepare(batch: number, rows: number): Promise<BatchIntent> {
    const tmp = this.tmpDir(batch);
    const files = (await listFiles(tmp)).filter((f) => f.endsWith(TMP_SUFFIX)).sort();
    for (const f of files) await fsyncPath(join(tmp, f));
    const moves = files.map((f, n) => [relative(this.outDir, join(tmp, f)), this.finalName(f, batch, n)] as const);
    const intent: BatchIntent = { batch, rows, moves };
    const path = this.intentPath(batch);
    const file = await open(`${path}.partial`, 'w');
    try {
      await file.writeFile(JSON.stringify(intent));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(`${path}.partial`, path);
    await fsyncPath(dirname(path));
    return intent;
  }

  /** Step 3: moves what has not moved yet (a roll-forward skips files already in place). */
  async moveIntoPlace(intent: BatchIntent): Promise<void> {
    const dirs = new Set<string>();
    for (const [from, to] of intent.moves) {
      const source = join(this.outDir, from);
      const target = join(this.outDir, to);
      if (!(await exists(source))) continue;
      await makeDir(dirname(target));
      await rename(source, target);
      dirs.add(dirname(target));
      // A crash between two renames is the hardest case for readers and recovery: tests inject it here.
      faultPoint(this.sinkLabel, 'mid-deliver', intent.batch);
    }
    for (const d of dirs) await fsyncPath(d);
  }

  /** Step 4's clean-up: the intent and the temporary directory of `batch`. */
  async cleanup(batch: number): Promise<void> {
    await rm(this.intentPath(batch), { force: true });
    await rm(this.tmpDir(batch), { recursive: true, force: true });
  }

  /** `d=2024-01-01/__eddy_chunk=0/data_0.parquet.tmp` -> `d=2024-01-01/part-<sink>-<run>-<batch>-<n>.parquet`. */
  private finalName(tmpRelative: string, batch: number, n: number): string {
    const dirs = tmpRelative.split(sep).slice(0, -1).filter((d) => !d.startsWith(`${CHUNK_COLUMN}=`));
    const name = `part-${this.sinkLabel}-${this.run}-${String(batch).padStart(8, '0')}-${String(n).padStart(4, '0')}.${this.extension}`;
    return join(...dirs, name);
  }
}

/** A name made of letters, digits, `_` and `-` only. */
export function fileLabel(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
