/** FileSinkWriter: delivers each batch as files in the output directory, exactly once (batch-files.ts). */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column } from '../../catalog/types.js';
import { EddyError } from '../../util/errors.js';
import type { SinkBatch, SinkWriter } from '../types.js';
import { BatchFiles, fileLabel } from './batch-files.js';
import { copyBatchSql } from './copy-sql.js';
import { appendManifest, readManifest } from './manifest.js';
import { fileExtension, type FileSinkSettings } from './sink-settings.js';
import { makeDir } from '../../util/make-dir.js';

interface RunState {
  readonly run: string;
  readonly files: BatchFiles;
  /** The last batch of this run in the manifest (or written empty), -1 before the first. */
  lastCommitted: number;
}

export class FileSinkWriter implements SinkWriter {
  private state: RunState | null = null;

  private constructor(
    private readonly sink: string,
    private readonly settings: FileSinkSettings,
    private readonly columns: readonly Column[],
    private readonly runDir: string,
  ) {}

  /**
   * `runDir` keeps the sink's run id (the sink's query directory, src/checkpoint/query-dir.ts), so
   * that a sink dropped and created again under the same name starts a new run rather than matching
   * the old run's batches. It is read (or made) at the first delivery, after the query has set up its
   * checkpoint directory.
   */
  static async open(sink: string, settings: FileSinkSettings, columns: readonly Column[], runDir: string): Promise<FileSinkWriter> {
    try {
      await makeDir(settings.path);
    } catch (e) {
      throw new EddyError('IO_ERROR', `sink "${sink}": cannot create the output directory ${settings.path}: ${(e as Error).message}`, { cause: e });
    }
    return new FileSinkWriter(sink, settings, columns, runDir);
  }

  private async runState(): Promise<RunState> {
    if (this.state) return this.state;
    const run = await runId(this.runDir);
    const entries = await readManifest(this.settings.path);
    const lastCommitted = entries.filter((e) => e.sink === this.sink && e.run === run).reduce((m, e) => Math.max(m, e.batch), -1);
    this.state = { run, files: new BatchFiles(this.settings.path, fileLabel(this.sink), run, fileExtension(this.settings)), lastCommitted };
    return this.state;
  }

  async deliver(batch: SinkBatch): Promise<{ rows: number }> {
    const id = batch.batchId;
    try {
      const state = await this.runState();
      if (id <= state.lastCommitted) {
        await state.files.cleanup(id);
        return { rows: await this.countRows(batch) };
      }
      const intent = (await state.files.readIntent(id)) ?? (await this.write(batch, state.files));
      if (intent === null) {
        state.lastCommitted = id;
        return { rows: 0 };
      }
      await state.files.moveIntoPlace(intent);
      await appendManifest(this.settings.path, {
        sink: this.sink, run: state.run, batch: id, rows: intent.rows, files: intent.moves.map(([, to]) => to), committed_at: new Date().toISOString(),
      });
      state.lastCommitted = id;
      await state.files.cleanup(id);
      return { rows: intent.rows };
    } catch (e) {
      if (e instanceof EddyError) throw e;
      throw new EddyError('IO_ERROR', `sink "${this.sink}": cannot write batch ${id} to ${this.settings.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {}

  /** Steps 1-2: the batch's files in `_tmp/`, and its intent; null for a batch without rows. */
  private async write(batch: SinkBatch, files: BatchFiles) {
    const rows = await this.countRows(batch);
    if (rows === 0) return null;
    await files.resetTmp(batch.batchId);
    const tmp = files.tmpDir(batch.batchId);
    const copy = copyBatchSql(this.settings, this.columns, batch.relation, tmp);
    if (!copy.partitioned) await makeDir(tmp);
    try {
      await batch.conn.run(copy.sql);
    } catch (e) {
      throw new EddyError('IO_ERROR', `sink "${this.sink}": writing batch ${batch.batchId} as ${this.settings.format} failed: ${(e as Error).message}`, { cause: e });
    }
    return files.prepare(batch.batchId, rows);
  }

  private async countRows(batch: SinkBatch): Promise<number> {
    try {
      return Number(await batch.conn.scalar(`SELECT count(*) FROM ${batch.relation} WHERE __op = 1`));
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `sink "${this.sink}": cannot read batch ${batch.batchId}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The run id kept in `dir/file-sink.json`, made on first use. */
async function runId(dir: string): Promise<string> {
  const path = join(dir, 'file-sink.json');
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { run: string }).run;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const run = randomUUID().slice(0, 8);
  await makeDir(dir);
  await writeFile(path, `${JSON.stringify({ run })}\n`);
  return run;
}
