/**
 * CREATE SINK out FROM v WITH (connector = 'kafka', brokers = 'localhost:9092', topic = 'out',
 *   key = 'auction', output_mode = 'update');
 *
 * Values are JSON objects of the row's columns (DuckDB's to_json). Options: topic and brokers
 * (required), key (columns, comma-separated, whose value is the message key: one column as text,
 * several as a JSON object; default: the result's key in update mode, none otherwise), batch_size
 * (records per produce request, default 10000), transactional (default false), and the client options
 * of client.ts. Output modes: append, update (a deleted key becomes a tombstone, a
 * changed one its new value), changelog (the value has "__op": "insert" | "delete").
 *
 * Exactly-once without transactions (tail.ts): records carry eddy.query/eddy.batch/eddy.seq headers
 * and a partition chosen by key or by (batch, seq); the writer learns from the tail of each partition
 * what this query already wrote and skips it. transactional = true also wraps each batch in a Kafka
 * transaction, for read_committed consumers (needs a real broker).
 */
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Column, SinkObject } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { opt, readOptions, toOptions } from '../options.js';
import { checkClientSettings, clientOptionShape, clientOptions, createKafka, kafkaError, topicMissing, type ClientSettings } from './client.js';
import { PartitionFetcher, READ_COMMITTED, READ_UNCOMMITTED } from './partition-fetcher.js';
import type { ConnectorEnv, SinkBatch, SinkConnector, SinkWriter } from '../types.js';
import { HEADER_BATCH, HEADER_QUERY, HEADER_SEQ, isAfter, lastWritten, type Written } from './tail.js';

const NAME = 'kafka';

const optionShape = {
  ...clientOptionShape,
  topic: opt.string(),
  key: opt.string().optional(),
  batch_size: opt.int(1).default(10000),
  transactional: opt.bool().default(false),
};

/** The catalog stores the query's own options next to the connector's; the connector reads only its own. */
const QUERY_OPTIONS = new Set(['trigger', 'max_rows_per_batch', 'output_mode', 'checkpoint_retention', 'late_rows']);

function connectorOptions(options: Options): Options {
  return Object.fromEntries(Object.entries(options).filter(([k]) => !QUERY_OPTIONS.has(k)));
}

export interface KafkaSinkSettings extends ClientSettings {
  readonly topic: string;
  readonly key: readonly string[] | undefined;
  readonly batchSize: number;
  readonly transactional: boolean;
}

export function kafkaSinkSettings(sink: string, options: Options): KafkaSinkSettings {
  const o = readOptions({ objectKind: 'sink', objectName: sink, connector: NAME }, optionShape, connectorOptions(options));
  checkClientSettings(`sink "${sink}"`, o);
  const key = o.key?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  return { ...o, key: key && key.length > 0 ? key : undefined, batchSize: o.batch_size, transactional: o.transactional };
}

/** One record as read from the batch: key and value as text (value null for a tombstone). */
interface Row {
  readonly k: string | null;
  readonly v: string | null;
}

const keyPartitioner = Partitioners.DefaultPartitioner();

export class KafkaSinkWriter implements SinkWriter {
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  private fetcher: PartitionFetcher | null = null;
  private partitions: number[] | null = null;
  /** What this query last wrote per partition; null until read from the tails (again after an error). */
  private written: Map<number, Written> | null = null;
  private readonly where: string;

  constructor(
    private readonly sink: SinkObject,
    private readonly settings: KafkaSinkSettings,
  ) {
    this.where = `sink "${sink.name}"`;
  }

  private async connect(): Promise<{ producer: Producer; fetcher: PartitionFetcher }> {
    this.kafka ??= createKafka(this.settings);
    this.fetcher ??= new PartitionFetcher(this.kafka, this.settings.transactional ? READ_COMMITTED : READ_UNCOMMITTED);
    if (this.producer === null) {
      const producer = this.settings.transactional
        ? this.kafka.producer({ transactionalId: `eddy-${this.sink.name}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
        : this.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    return { producer: this.producer, fetcher: this.fetcher };
  }

  /** SQL reading the batch as (k, v) records in a fixed order, so a redelivery numbers them the same. */
  private recordsSql(batch: SinkBatch): string {
    const cols = batch.columns.map((c) => `${quoteLiteral(c.name)}: ${quoteIdent(c.name)}`).join(', ');
    const keyCols = this.settings.key ?? (batch.outputMode === 'update' ? batch.key ?? undefined : undefined);
    if (batch.outputMode === 'update' && (keyCols === undefined || keyCols.length === 0)) {
      throw new EddyError('INVALID_PARAMETER', `${this.where}: output_mode 'update' needs a key to write tombstones for deleted rows`, {
        hint: "add key = '<column>' to the sink's options",
      });
    }
    for (const k of keyCols ?? []) {
      if (!batch.columns.some((c) => c.name === k)) {
        throw new EddyError('UNDEFINED_COLUMN', `${this.where}: key column "${k}" is not a column of the output (${batch.columns.map((c) => c.name).join(', ')})`);
      }
    }
    const key =
      keyCols === undefined ? 'NULL::VARCHAR'
      : keyCols.length === 1 ? `CAST(${quoteIdent(keyCols[0]!)} AS VARCHAR)`
      : `to_json({${keyCols.map((k) => `${quoteLiteral(k)}: ${quoteIdent(k)}`).join(', ')}})::VARCHAR`;
    const ordered = `SELECT *, ${key} AS __k FROM ${batch.relation}`;
    if (batch.outputMode === 'changelog') {
      return `SELECT __k AS k, to_json({${cols}, '__op': CASE WHEN __op > 0 THEN 'insert' ELSE 'delete' END})::VARCHAR AS v FROM (${ordered}) ORDER BY ALL`;
    }
    if (batch.outputMode === 'update') {
      return `WITH r AS (${ordered})
        SELECT __k AS k, CASE WHEN __op > 0 THEN to_json({${cols}})::VARCHAR END AS v FROM r
        WHERE __op > 0 OR __k NOT IN (SELECT __k FROM r WHERE __op > 0) ORDER BY ALL`;
    }
    return `SELECT __k AS k, to_json({${cols}})::VARCHAR AS v FROM (${ordered}) WHERE __op > 0 ORDER BY ALL`;
  }

  private partitionOf(topic: string, partitions: readonly number[], batchId: number, seq: number, key: string | null): number {
    if (key === null) return partitions[(batchId + seq) % partitions.length]!;
    const partitionMetadata = partitions.map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    return keyPartitioner({ topic, partitionMetadata, message: { key, value: null } });
  }

  async deliver(batch: SinkBatch): Promise<{ rows: number }> {
    let rows: Row[];
    const sql = this.recordsSql(batch);
    try {
      rows = await batch.conn.objects<Row>(sql);
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `${this.where}: cannot read batch ${batch.batchId}: ${(e as Error).message}`, { cause: e });
    }
    if (rows.length === 0) return { rows: 0 };
    const topic = this.settings.topic;
    try {
      const { producer, fetcher } = await this.connect();
      if (this.partitions === null) {
        const found = (await fetcher.partitions([topic])).get(topic) ?? [];
        if (found.length === 0) throw topicMissing(this.where, topic, this.settings.brokers);
        this.partitions = found;
      }
      const partitions = this.partitions;
      this.written ??= await lastWritten(fetcher, topic, partitions, batch.queryId);
      const written = this.written;
      const messages: Message[] = [];
      const sent = new Map<number, Written>();
      rows.forEach((row, seq) => {
        const partition = this.partitionOf(topic, partitions, batch.batchId, seq, row.k);
        const at = { batch: batch.batchId, seq };
        const last = written.get(partition);
        if (last !== undefined && !isAfter(at, last)) return;
        sent.set(partition, at);
        messages.push({
          partition,
          key: row.k,
          value: row.v,
          headers: { [HEADER_QUERY]: batch.queryId, [HEADER_BATCH]: String(batch.batchId), [HEADER_SEQ]: String(seq) },
        });
      });
      this.written = null; // unknown until the sends below succeed
      if (this.settings.transactional) {
        const tx = await producer.transaction();
        try {
          for (let i = 0; i < messages.length; i += this.settings.batchSize) {
            await tx.send({ topic, acks: -1, messages: messages.slice(i, i + this.settings.batchSize) });
          }
          await tx.commit();
        } catch (e) {
          await tx.abort().catch(() => undefined);
          throw e;
        }
      } else {
        for (let i = 0; i < messages.length; i += this.settings.batchSize) {
          await producer.send({ topic, acks: -1, messages: messages.slice(i, i + this.settings.batchSize) });
        }
      }
      for (const [p, w] of sent) written.set(p, w);
      this.written = written;
      return { rows: rows.length };
    } catch (e) {
      this.partitions = null;
      throw kafkaError(e, this.where);
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.fetcher?.close();
    this.producer = null;
    this.fetcher = null;
  }
}

export const kafkaSink: SinkConnector = {
  kind: 'sink',
  name: NAME,
  outputModes: ['append', 'update', 'changelog'],

  async validate(name: string, columns: readonly Column[], options: Options, _env: ConnectorEnv): Promise<Options> {
    const s = kafkaSinkSettings(name, options);
    for (const k of s.key ?? []) {
      if (!columns.some((c) => c.name === k)) {
        throw new EddyError('UNDEFINED_COLUMN', `sink "${name}": key column "${k}" is not a column of the output (${columns.map((c) => c.name).join(', ')})`);
      }
    }
    return toOptions({
      ...clientOptions(s),
      topic: s.topic,
      key: s.key?.join(','),
      batch_size: s.batchSize,
      transactional: s.transactional,
    });
  },

  async open(sink: SinkObject, _env: ConnectorEnv): Promise<SinkWriter> {
    return new KafkaSinkWriter(sink, kafkaSinkSettings(sink.name, sink.options));
  },
};
