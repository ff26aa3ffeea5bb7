/** Every connector Eddy knows, in one list; the engine finds them here by name. */
import { EddyError } from '../util/errors.js';
import { blackholeSink } from './sinks/blackhole.js';
import { consoleSink } from './sinks/console.js';
import { kafkaSink } from './sinks/kafka/connector.js';
import { csvSink, jsonlSink, parquetSink } from './sinks/file/connectors.js';
import { fileSource } from './sources/file.js';
import { kafkaSource } from './sources/kafka/connector.js';
import { nexmarkSource } from './sources/nexmark/connector.js';
import { pushSource } from './sources/push.js';
import type { SinkConnector, SourceConnector } from './types.js';

export const connectors: readonly (SourceConnector | SinkConnector)[] = [nexmarkSource, fileSource, pushSource, kafkaSource, consoleSink, blackholeSink, parquetSink, jsonlSink, csvSink, kafkaSink];

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
