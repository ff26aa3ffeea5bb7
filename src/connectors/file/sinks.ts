/**
 * The file sinks, one connector per format on one machinery:
 *   CREATE SINK s FROM x WITH (connector = 'parquet' | 'jsonl' | 'csv', path = 'out/x',
 *     partition_by = 'day, region', max_rows_per_file = 1000000, compression = 'zstd')
 * Output mode append only: files are immutable once written, so a sink that would have to take a row
 * back (update, complete, changelog) is refused when it is created.
 */
import type { OutputMode } from '../../catalog/output-mode.js';
import type { Column, SinkObject } from '../../catalog/types.js';
import { queryDir } from '../../checkpoint/query-dir.js';
import type { Options } from '../../sql/ast.js';
import { requirePathInRoots } from './path-roots.js';
import type { ConnectorEnv, SinkConnector, SinkWriter } from '../types.js';
import { fileSinkSettings, settingsOptions, type FileSinkFormat } from './sink-settings.js';
import { FileSinkWriter } from './sink-writer.js';

export class FileSinkConnector implements SinkConnector {
  readonly kind = 'sink';
  readonly outputModes: readonly OutputMode[] = ['append'];
  readonly outputModeNote = 'files are immutable once written, so a file sink cannot take back or replace a row it wrote';

  constructor(readonly name: FileSinkFormat) {}

  async validate(sink: string, columns: readonly Column[], options: Options, env: ConnectorEnv): Promise<Options> {
    const settings = fileSinkSettings(this.name, sink, columns, options);
    requirePathInRoots(`sink "${sink}"`, settings.path, env.fileRoots, env.dataDir);
    return settingsOptions(settings);
  }

  async open(sink: SinkObject, env: ConnectorEnv): Promise<SinkWriter> {
    const settings = fileSinkSettings(this.name, sink.name, sink.columns, connectorOptions(sink.options));
    return FileSinkWriter.open(sink.name, settings, sink.columns, queryDir(env.dataDir, sink.name));
  }
}

/** The catalog stores the query's own options (trigger, ...) next to the connector's; open reads only these. */
const QUERY_OPTIONS = new Set(['trigger', 'max_rows_per_batch', 'output_mode']);

function connectorOptions(options: Options): Options {
  return Object.fromEntries(Object.entries(options).filter(([k]) => !QUERY_OPTIONS.has(k)));
}

export const parquetSink = new FileSinkConnector('parquet');
export const jsonlSink = new FileSinkConnector('jsonl');
export const csvSink = new FileSinkConnector('csv');
