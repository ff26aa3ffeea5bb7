/**
 * `eddy run FILE.sql`: executes a script's statements in order, deterministically. Before each SELECT
 * and SHOW, and before exiting, every running query is drained (all data available at that moment is
 * processed), so a SELECT sees the effect of everything before it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../engine/index.js';
import type { Statement } from '../sql/ast.js';
import { EddyError, asEddyError } from '../util/errors.js';
import { formatResult, type OutputFormat } from './format.js';
import type { CliIo } from './io.js';
import type { EngineTuning } from './tuning-env.js';

export interface RunOptions {
  readonly file: string;
  /** The data directory; when absent a fresh temporary one is used and removed afterwards. */
  readonly dataDir: string | undefined;
  readonly format: OutputFormat;
  /** The engine's knobs (EDDY_* variables, tuning-env.ts); defaults when absent. */
  readonly tuning?: EngineTuning;
}

/** Returns the process exit code: 0 when every statement succeeded, 1 at the first error. */
export async function runScript(options: RunOptions, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = fs.readFileSync(options.file, 'utf8');
  } catch (e) {
    io.err(`ERROR: cannot read ${options.file}: ${(e as Error).message}\n`);
    return 1;
  }
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-run-'));
  let engine: Engine | undefined;
  try {
    engine = await Engine.open({ ...options.tuning, dataDir });
    for (const warning of engine.warnings) io.err(`WARNING: ${warning}\n`);
    await executeScript(engine, text, options.format, io, { drainBeforeReads: true });
    await engine.drain();
    return 0;
  } catch (e) {
    io.err(`ERROR: ${asEddyError(e).describe()}\n`);
    return 1;
  } finally {
    await engine?.close().catch(() => undefined);
    if (temporary) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs a script's statements one by one, printing rows and notices as they come. Throws the first error. */
export async function executeScript(engine: Engine, text: string, format: OutputFormat, io: CliIo, how: { drainBeforeReads: boolean }): Promise<void> {
  for (const statement of engine.parse(text)) {
    if (how.drainBeforeReads && readsResults(statement)) await engine.drain();
    const result = await engine.executeStatement(statement);
    for (const notice of result.notices ?? []) io.err(`NOTICE: ${notice}\n`);
    io.out(formatResult(result, format));
  }
}

function readsResults(statement: Statement): boolean {
  return statement.kind === 'select' || statement.kind === 'show';
}

export function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table' || value === 'json' || value === 'csv') return value ?? 'table';
  throw new EddyError('INVALID_PARAMETER', `--format must be table, json or csv, not '${value}'`);
}
