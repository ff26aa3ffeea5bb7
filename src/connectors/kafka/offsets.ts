/**
 * Kafka source offsets: a map from `topic/partition` to the next offset to read (the offset after the
 * last one loaded), stored in offsets/N.json. A batch reads (start, end] = offsets start[p] ..
 * end[p] - 1 of each partition. A partition missing from `start` has not been read yet: it starts at
 * its earliest offset, except in the very first batch under startup = 'latest' or a timestamp, which
 * only positions the partitions it finds (reads nothing).
 */
import { EddyError } from '../../util/errors.js';
import type { SourceOffset } from '../types.js';

export type PartitionOffsets = Readonly<Record<string, number>>;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export function splitPartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('/');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

export function partitionOffsets(offset: SourceOffset): PartitionOffsets {
  if (offset === null || typeof offset !== 'object' || Array.isArray(offset)) {
    throw new EddyError('INTERNAL', `a Kafka source offset must be a map of topic/partition to offset, got ${JSON.stringify(offset)}`);
  }
  for (const [k, v] of Object.entries(offset)) {
    if (!Number.isSafeInteger(v) || (v as number) < 0 || !/\/\d+$/.test(k)) {
      throw new EddyError('INTERNAL', `bad Kafka source offset entry ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    }
  }
  return offset as PartitionOffsets;
}

/** Partition keys in a fixed order: by topic, then partition number. */
export function sortedKeys(offsets: PartitionOffsets): string[] {
  return Object.keys(offsets).sort((a, b) => {
    const x = splitPartitionKey(a);
    const y = splitPartitionKey(b);
    return x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition;
  });
}

export function isInitial(start: PartitionOffsets): boolean {
  return Object.keys(start).length === 0;
}

/** Where partition `key` starts in a batch from `start`; undefined: at its earliest offset. */
export type StartRule = (key: string) => number | undefined;

export interface EndOffsetPlan {
  readonly start: PartitionOffsets;
  /** The high watermark of every partition known now. */
  readonly latest: PartitionOffsets;
  readonly maxRows: number | undefined;
  /** Whether the first batch only positions partitions (startup 'latest' or a timestamp). */
  readonly positionFirst: boolean;
  /** Where the first batch positions a partition (the startup offsets resolved by latestOffset). */
  readonly firstPositions: ReadonlyMap<string, number>;
  /** The earliest offset of a partition, as last seen (an estimate for max_rows_per_batch). */
  readonly earliest: ReadonlyMap<string, number>;
}

/**
 * The end of the next batch. Without maxRows, every partition up to its high watermark; with it, at
 * most maxRows rows spread over the partitions: an equal share each, what a partition cannot use
 * going to the next ones in partition order, so the split depends only on the inputs.
 */
export function planEndOffset(plan: EndOffsetPlan): PartitionOffsets {
  const { start, latest } = plan;
  const end: Record<string, number> = { ...start };
  const keys = sortedKeys(latest);
  if (isInitial(start) && plan.positionFirst) {
    for (const k of keys) end[k] = plan.firstPositions.get(k) ?? latest[k] ?? 0;
    return end;
  }
  const from = new Map(keys.map((k) => [k, start[k] ?? plan.earliest.get(k) ?? 0]));
  const available = new Map(keys.map((k) => [k, Math.max(0, (latest[k] ?? 0) - (from.get(k) ?? 0))]));
  const take = new Map(keys.map((k) => [k, 0]));
  if (plan.maxRows === undefined) {
    for (const k of keys) take.set(k, available.get(k) ?? 0);
  } else {
    let budget = Math.max(1, Math.floor(plan.maxRows));
    let open = keys.filter((k) => (available.get(k) ?? 0) > 0);
    while (budget > 0 && open.length > 0) {
      const share = Math.max(1, Math.floor(budget / open.length));
      for (const k of open) {
        if (budget === 0) break;
        const n = Math.min(share, (available.get(k) ?? 0) - (take.get(k) ?? 0), budget);
        take.set(k, (take.get(k) ?? 0) + n);
        budget -= n;
      }
      open = open.filter((k) => (take.get(k) ?? 0) < (available.get(k) ?? 0));
    }
  }
  for (const k of keys) {
    // a partition seen for the first time is recorded even when it is empty
    if (start[k] === undefined || (take.get(k) ?? 0) > 0) end[k] = (from.get(k) ?? 0) + (take.get(k) ?? 0);
  }
  return end;
}

/** Whether (start, end] reads anything or positions a partition for the first time. */
export function rangeHasData(start: PartitionOffsets, end: PartitionOffsets): boolean {
  return Object.entries(end).some(([k, v]) => start[k] === undefined || v > (start[k] ?? 0));
}
