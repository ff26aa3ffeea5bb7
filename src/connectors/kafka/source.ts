/**
 * CREATE SOURCE orders (id BIGINT, amount DOUBLE, _key VARCHAR, _offset BIGINT) WITH (
 *   connector = 'kafka', brokers = 'localhost:9092', topic = 'orders', format = 'json');
 *
 * Options: topic (one, or several separated by commas; required), brokers (required), format ('json'
 * | 'csv' | 'raw'; default 'json'), delimiter (csv; default ','), startup ('earliest' | 'latest' | an
 * ISO timestamp; default 'earliest'), on_error ('skip' | 'fail' | 'dead_letter'; default 'skip'),
 * dead_letter_topic (with 'dead_letter'), casts ('strict' | 'lenient', default 'strict':
 * formats/casts.ts), and the client options of client.ts (client_id, retries,
 * connection_timeout_ms, request_timeout_ms, tls, tls_ca_file, sasl_mechanism, sasl_username,
 * sasl_password). Declared columns named _key, _topic, _partition, _offset, _timestamp hold the
 * message's metadata; the others come from its value.
 *
 * Offsets are Eddy's (offsets.ts), never consumer-group commits; ranges are read from the partition
 * leaders directly (partition-fetcher.ts). latestOffset is every partition's high watermark, so a
 * drain reads what was there when it started; partitions that appear later are read from their
 * earliest offset.
 */
import type { Column, SourceObject } from '../../catalog/types.js';
import type { Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { checkMessageColumns, loadMessages, MESSAGE_FORMATS, type Message, type MessageFormat } from '../formats/messages.js';
import { describeBadRow } from '../formats/bad-rows.js';
import { CASTS_VALUES, type Casts } from '../formats/casts.js';
import { opt, readOptions, toOptions } from '../options.js';
import type { ConnectorEnv, LoadStats, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { checkClientSettings, clientOptionShape, clientOptions, createKafka, kafkaError, topicMissing, type ClientSettings } from './client.js';
import { isInitial, partitionKey, partitionOffsets, planEndOffset, rangeHasData, sortedKeys, splitPartitionKey } from './offsets.js';
import { PartitionFetcher, READ_COMMITTED } from './partition-fetcher.js';
import type { Kafka, Producer } from 'kafkajs';

const NAME = 'kafka';
const ON_ERROR = ['skip', 'fail', 'dead_letter'] as const;

const optionShape = {
  ...clientOptionShape,
  topic: opt.string(),
  format: opt.oneOf(MESSAGE_FORMATS).default('json'),
  delimiter: opt.string().optional(),
  startup: opt.string().default('earliest'),
  on_error: opt.oneOf(ON_ERROR).default('skip'),
  dead_letter_topic: opt.string().optional(),
  casts: opt.oneOf(CASTS_VALUES).default('strict'),
};

export interface KafkaSourceSettings extends ClientSettings {
  readonly topics: readonly string[];
  readonly format: MessageFormat;
  readonly delimiter: string;
  /** 'earliest', 'latest', or milliseconds since the epoch. */
  readonly startup: 'earliest' | 'latest' | number;
  readonly onError: (typeof ON_ERROR)[number];
  readonly deadLetterTopic: string | undefined;
  readonly casts: Casts;
}

function parseStartup(source: string, text: string): 'earliest' | 'latest' | number {
  if (text === 'earliest' || text === 'latest') return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": option "startup" must be 'earliest', 'latest' or a timestamp such as '2026-11-22T10:00:00Z', got '${text}'`);
  }
  return ms;
}

export function kafkaSourceSettings(source: string, options: Options): KafkaSourceSettings {
  const o = readOptions({ objectKind: 'source', objectName: source, connector: NAME }, optionShape, options);
  const where = `source "${source}"`;
  checkClientSettings(where, o);
  const topics = o.topic.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (topics.length === 0) throw new EddyError('INVALID_PARAMETER', `${where}: option "topic" names no topic`);
  if (o.on_error === 'dead_letter' && o.dead_letter_topic === undefined) {
    throw new EddyError('INVALID_PARAMETER', `${where}: on_error = 'dead_letter' needs dead_letter_topic`);
  }
  if (o.on_error !== 'dead_letter' && o.dead_letter_topic !== undefined) {
    throw new EddyError('INVALID_PARAMETER', `${where}: dead_letter_topic applies to on_error = 'dead_letter' only`);
  }
  if (o.format !== 'csv' && o.delimiter !== undefined) {
    throw new EddyError('INVALID_PARAMETER', `${where}: option "delimiter" applies to format 'csv' only, not '${o.format}'`);
  }
  return {
    ...o,
    topics,
    delimiter: o.delimiter ?? ',',
    startup: parseStartup(source, o.startup),
    onError: o.on_error,
    deadLetterTopic: o.dead_letter_topic,
  };
}

export class KafkaSourceReader implements SourceReader {
  readonly initialOffset: SourceOffset = {};
  private kafka: Kafka | null = null;
  private fetcher: PartitionFetcher | null = null;
  private deadLetters: Producer | null = null;
  private readonly earliest = new Map<string, number>();
  private readonly firstPositions = new Map<string, number>();
  private readonly where: string;

  constructor(
    private readonly source: SourceObject,
    private readonly settings: KafkaSourceSettings,
  ) {
    this.where = `source "${source.name}"`;
  }

  /** Connects lazily, so a query opens while the broker is down and retries from its first batch. */
  private client(): PartitionFetcher {
    this.kafka ??= createKafka(this.settings);
    this.fetcher ??= new PartitionFetcher(this.kafka, READ_COMMITTED);
    return this.fetcher;
  }

  async latestOffset(): Promise<SourceOffset> {
    const fetcher = this.client();
    try {
      const latest: Record<string, number> = {};
      const partitions = await fetcher.partitions(this.settings.topics);
      for (const topic of this.settings.topics) {
        const ids = partitions.get(topic) ?? [];
        if (ids.length === 0) throw topicMissing(this.where, topic, this.settings.brokers);
        const highs = await fetcher.offsets(topic, ids, 'latest');
        const lows = await fetcher.offsets(topic, ids, 'earliest');
        const unpositioned = this.settings.startup !== 'earliest' && ids.some((p) => !this.firstPositions.has(partitionKey(topic, p)));
        const first = unpositioned ? await fetcher.offsets(topic, ids, this.settings.startup) : null;
        for (const p of ids) {
          const key = partitionKey(topic, p);
          latest[key] = highs.get(p) ?? 0;
          this.earliest.set(key, lows.get(p) ?? 0);
          // past the end when no message is that recent
          if (first && !this.firstPositions.has(key)) this.firstPositions.set(key, first.get(p) === -1 ? latest[key] : first.get(p) ?? latest[key]);
        }
      }
      return latest;
    } catch (e) {
      if ((e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw topicMissing(this.where, this.settings.topics.join(', '), this.settings.brokers);
      }
      throw kafkaError(e, this.where);
    }
  }

  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    return planEndOffset({
      start: partitionOffsets(start),
      latest: partitionOffsets(latest),
      maxRows,
      positionFirst: this.settings.startup !== 'earliest',
      firstPositions: this.firstPositions,
      earliest: this.earliest,
    });
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return rangeHasData(partitionOffsets(start), partitionOffsets(end));
  }

  async load(conn: Connection, target: string, startOffset: SourceOffset, endOffset: SourceOffset): Promise<LoadStats> {
    const start = partitionOffsets(startOffset);
    const end = partitionOffsets(endOffset);
    const fetcher = this.client();
    const messages: Message[] = [];
    try {
      for (const key of sortedKeys(end)) {
        const { topic, partition } = splitPartitionKey(key);
        const to = end[key] ?? 0;
        let from = start[key];
        if (from === undefined) {
          // positioned by the first batch (nothing to read), or new: from its earliest offset
          from = isInitial(start) && this.settings.startup !== 'earliest' ? to : (await fetcher.offsets(topic, [partition], 'earliest')).get(partition) ?? 0;
        }
        if (to <= from) continue;
        await fetcher.fetchRange(topic, partition, from, to, (batch) => {
          for (const m of batch) {
            messages.push({ topic, partition, offset: Number(m.offset), key: m.key, value: m.value, timestamp: Number(m.timestamp) });
          }
        });
      }
    } catch (e) {
      throw kafkaError(e, this.where);
    }
    const { stats, bad } = await loadMessages(conn, messages, {
      source: this.source.name,
      columns: this.source.columns,
      format: this.settings.format,
      delimiter: this.settings.delimiter,
      target,
      onError: this.settings.onError === 'fail' ? 'fail' : 'skip',
      casts: this.settings.casts,
      key: this.source.primaryKey,
    });
    if (bad.length > 0 && this.settings.deadLetterTopic !== undefined) {
      const byLocation = new Map(messages.map((m) => [`${m.topic}/${m.partition}/${m.offset}`, m]));
      await this.sendDeadLetters(
        this.settings.deadLetterTopic,
        bad.map((d) => ({ detail: d, message: byLocation.get(`${d.file}/${d.line}`) })),
      );
    }
    return stats;
  }

  /** Bad messages go to the dead-letter topic as they were, with where they came from and why in headers. */
  private async sendDeadLetters(topic: string, bad: { detail: import('../formats/staged-rows.js').BadRowDetail; message: Message | undefined }[]): Promise<void> {
    try {
      if (this.deadLetters === null) {
        this.kafka ??= createKafka(this.settings);
        const producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
        await producer.connect();
        this.deadLetters = producer;
      }
      await this.deadLetters.send({
        topic,
        acks: -1,
        messages: bad.map(({ detail, message }) => ({
          key: message?.key ?? null,
          value: message?.value ?? null,
          headers: {
            'eddy.source': this.source.name,
            'eddy.topic': message?.topic ?? '',
            'eddy.partition': String(message?.partition ?? ''),
            'eddy.offset': String(message?.offset ?? detail.line),
            'eddy.column': detail.column ?? '',
            'eddy.error': describeBadRow(this.source.name, detail, 'offset'),
          },
        })),
      });
      log.warn({ source: this.source.name, topic, messages: bad.length }, 'sent bad messages to the dead-letter topic');
    } catch (e) {
      throw kafkaError(e, `${this.where}: dead-letter topic "${topic}"`);
    }
  }

  describe(offset: SourceOffset): unknown {
    return { offsets: offset };
  }

  async close(): Promise<void> {
    await this.fetcher?.close();
    await this.deadLetters?.disconnect().catch(() => undefined);
    this.fetcher = null;
    this.deadLetters = null;
  }
}

export const kafkaSource: SourceConnector = {
  kind: 'source',
  name: NAME,

  async validate(name: string, columns: readonly Column[] | null, options: Options, _env: ConnectorEnv) {
    if (columns === null || columns.length === 0) {
      throw new EddyError('INVALID_PARAMETER', `source "${name}": a Kafka source needs a column list`, {
        hint: "CREATE SOURCE t (id BIGINT, msg VARCHAR, _offset BIGINT) WITH (connector = 'kafka', brokers = 'localhost:9092', topic = 't')",
      });
    }
    const s = kafkaSourceSettings(name, options);
    checkMessageColumns(name, columns, s.format);
    const normalised = toOptions({
      ...clientOptions(s),
      topic: s.topics.join(','),
      format: s.format,
      delimiter: s.format === 'csv' ? s.delimiter : undefined,
      startup: typeof s.startup === 'number' ? new Date(s.startup).toISOString() : s.startup,
      on_error: s.onError,
      dead_letter_topic: s.deadLetterTopic,
      casts: s.casts === 'lenient' ? 'lenient' : undefined,
    });
    return { columns: columns.map((c) => ({ ...c })), options: normalised };
  },

  async open(source: SourceObject, _env: ConnectorEnv): Promise<SourceReader> {
    return new KafkaSourceReader(source, kafkaSourceSettings(source.name, source.options));
  },
};
