/**
 * Reads exact offset ranges of named partitions, without a consumer group.
 *
 * kafkajs has no assign(): its consumer must join a group (seconds per join, and the group's
 * coordinator decides who reads what), which fits neither "load (start, end] of these partitions"
 * nor offsets owned by Eddy's checkpoint. So this uses the cluster client kafkajs builds for its own
 * consumer (through the Kafka object's private factory) and sends Fetch and ListOffsets requests to
 * each partition's leader directly. kafkajs 2.2.4 is pinned and no longer changes; the internal
 * surface used here is small and checked when the client is created (docs/design/20261122-kafka.md).
 */
import type { Kafka } from 'kafkajs';
import { EddyError } from '../../util/errors.js';

/** A message as kafkajs decodes it. */
export interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers: Record<string, Buffer | Buffer[] | undefined>;
  readonly isControlRecord?: boolean;
}

interface PartitionMetadata {
  readonly partitionId: number;
  readonly leader: number;
}

interface FetchPartitionData {
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: FetchedMessage[];
  readonly abortedTransactions?: unknown[];
}

interface InternalBroker {
  fetch(request: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: FetchPartitionData[] }[] }>;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findBroker(args: { nodeId: string | number }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning?: boolean; fromTimestamp?: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;
const PARTITION_MAX_BYTES = 4 * 1024 * 1024;

function createCluster(kafka: Kafka): InternalCluster {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = factory === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[factory];
  if (typeof create !== 'function') {
    throw new EddyError('INTERNAL', 'this kafkajs version does not expose its cluster client; Eddy needs kafkajs 2.2.x');
  }
  const cluster = (create as (o: object) => InternalCluster)({ allowAutoTopicCreation: false, metadataMaxAge: 1000 });
  for (const m of ['connect', 'refreshMetadata', 'findTopicPartitionMetadata', 'findBroker', 'fetchTopicsOffset'] as const) {
    if (typeof cluster[m] !== 'function') throw new EddyError('INTERNAL', `the kafkajs cluster client has no ${m}(); Eddy needs kafkajs 2.2.x`);
  }
  return cluster;
}

export class PartitionFetcher {
  private readonly cluster: InternalCluster;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly isolationLevel: number = READ_COMMITTED,
  ) {
    this.cluster = createCluster(kafka);
  }

  private async ready(topics: readonly string[]): Promise<void> {
    if (!this.connected || !this.cluster.isConnected()) {
      await this.cluster.connect();
      this.connected = true;
    }
    await this.cluster.addMultipleTargetTopics([...topics]);
  }

  /** The partitions of each topic, from fresh metadata; a missing topic has none. */
  async partitions(topics: readonly string[]): Promise<Map<string, number[]>> {
    await this.ready(topics);
    await this.cluster.refreshMetadata();
    const out = new Map<string, number[]>();
    for (const topic of topics) {
      out.set(topic, this.cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b));
    }
    return out;
  }

  /**
   * Offsets per partition: the earliest (`fromBeginning`), the high watermark (latest), or the first
   * offset at or after a timestamp (ms).
   */
  async offsets(topic: string, partitions: readonly number[], at: 'earliest' | 'latest' | number): Promise<Map<number, number>> {
    await this.ready([topic]);
    const spec = at === 'earliest' ? { fromBeginning: true } : at === 'latest' ? { fromBeginning: false } : { fromTimestamp: at };
    const [result] = await this.cluster.fetchTopicsOffset([{ topic, partitions: partitions.map((partition) => ({ partition })), ...spec }]);
    const out = new Map<number, number>();
    for (const p of result?.partitions ?? []) out.set(p.partition, Number(p.offset));
    return out;
  }

  /**
   * Calls `onMessages` with the messages of [from, to) of one partition, in offset order, until the
   * range is read. Offsets that hold no message (compaction, transaction markers) are skipped.
   */
  async fetchRange(topic: string, partition: number, from: number, to: number, onMessages: (messages: FetchedMessage[]) => void): Promise<void> {
    let position = from;
    let emptyFetches = 0;
    while (position < to) {
      await this.ready([topic]);
      const leader = this.cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined) {
        await this.cluster.refreshMetadata();
        throw new EddyError('SOURCE_UNAVAILABLE', `Kafka topic "${topic}" has no partition ${partition} (or no leader for it)`);
      }
      const broker = await this.cluster.findBroker({ nodeId: leader });
      const { responses } = await broker.fetch({
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: PARTITION_MAX_BYTES,
        isolationLevel: this.isolationLevel,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(position), maxBytes: PARTITION_MAX_BYTES }] }],
      });
      const data = responses.flatMap((r) => r.partitions).find((p) => p.partition === partition);
      const messages = data?.messages ?? [];
      let last = position - 1;
      const kept: FetchedMessage[] = [];
      for (const m of messages) {
        const offset = Number(m.offset);
        // a compressed batch may start before the requested offset
        if (offset < position) continue;
        last = Math.max(last, offset);
        if (offset >= to || m.isControlRecord) continue;
        kept.push(m);
      }
      if (kept.length > 0) onMessages(kept);
      if (last >= position) {
        position = last + 1;
        emptyFetches = 0;
        continue;
      }
      // nothing at position: the rest of the range is markers or was compacted away, or the data is
      // not committed yet; give up after a few tries rather than wait forever
      const high = Number(data?.highWatermark ?? position);
      if (high <= position || ++emptyFetches >= 3) return;
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.cluster.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
