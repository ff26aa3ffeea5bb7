/** Every connector Eddy knows, in one list; the engine finds them here by name. */
import { EddyError } from '../util/errors.js';
import { blackholeSink } from './blackhole.js';
import { consoleSink } from './console.js';
import { kafkaSink } from './kafka/sink.js';
import { csvSink, jsonlSink, parquetSink } from './file/sinks.js';
import { fileSource } from './file/source.js';
import { kafkaSource } from './kafka/source.js';
import { nexmarkSource } from './nexmark/source.js';
import { postgresCdcSource } from './postgres-cdc/source.js';
import { pushSource } from './push/source.js';
import { openTableChangelog } from './table/changelog.js';
import type { SourceObject, TableObject } from '../catalog/types.js';
import type { ConnectorEnv, ReaderIdentity, SinkConnector, SourceConnector, SourceReader } from './types.js';

export const connectors: readonly (SourceConnector | SinkConnector)[] = [nexmarkSource, fileSource, pushSource, kafkaSource, postgresCdcSource, consoleSink, blackholeSink, parquetSink, jsonlSink, csvSink, kafkaSink];

function find<K extends 'source' | 'sink'>(kind: K, name: string): Extract<SourceConnector | SinkConnector, { kind: K }> {
  const wanted = name.toLowerCase();
  const found = connectors.find((c) => c.kind === kind && c.name === wanted);
  if (found) return found as Extract<SourceConnector | SinkConnector, { kind: K }>;
  const known = connectors.filter((c) => c.kind === kind).map((c) => c.name);
  const other = connectors.find((c) => c.kind !== kind && c.name === wanted);
  throw new EddyError('INVALID_PARAMETER', `unknown ${kind} connector "${name}"; known: ${known.join(', ')}`, {
    hint: other ? `"${other.name}" is a ${other.kind} connector` : undefined,
  });
}

export function sourceConnector(name: string): SourceConnector {
  return find('source', name);
}

export function sinkConnector(name: string): SinkConnector {
  return find('sink', name);
}

/** Opens a reader of what a continuous query reads: a source through its connector, a table through its changelog. */
export function openInput(input: SourceObject | TableObject, env: ConnectorEnv, reading: ReaderIdentity): Promise<SourceReader> {
  return input.kind === 'table' ? openTableChangelog(input, env) : sourceConnector(input.connector).open(input, env, reading);
}
