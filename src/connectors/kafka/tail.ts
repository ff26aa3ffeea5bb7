/**
 * Exactly-once without transactions: every record the Kafka sink writes carries the headers
 * eddy.query (the query's id), eddy.batch and eddy.seq (its place in the batch). Records go to a
 * partition that depends only on (batch, seq) or the key, and each partition is written in order, so
 * after a crash the last (batch, seq) of this query found at the tail of a partition says exactly
 * which records of a redelivered batch that partition already holds.
 */
import type { PartitionFetcher } from './partition-fetcher.js';

export const HEADER_QUERY = 'eddy.query';
export const HEADER_BATCH = 'eddy.batch';
export const HEADER_SEQ = 'eddy.seq';

export interface Written {
  readonly batch: number;
  readonly seq: number;
}

export function isAfter(a: Written, b: Written): boolean {
  return a.batch > b.batch || (a.batch === b.batch && a.seq > b.seq);
}

function header(value: Buffer | Buffer[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.toString('utf8');
}

/** Records scanned back from the end of a partition before the window doubles. */
const FIRST_WINDOW = 1000;

/**
 * The last (batch, seq) this query wrote to each partition of `topic`, found by reading back from
 * each partition's end (a window that doubles until a record of the query turns up or the start is
 * reached). Partitions the query never wrote to are absent.
 */
export async function lastWritten(fetcher: PartitionFetcher, topic: string, partitions: readonly number[], queryId: string): Promise<Map<number, Written>> {
  const out = new Map<number, Written>();
  const highs = await fetcher.offsets(topic, partitions, 'latest');
  const lows = await fetcher.offsets(topic, partitions, 'earliest');
  for (const p of partitions) {
    const high = highs.get(p) ?? 0;
    const low = lows.get(p) ?? 0;
    let window = FIRST_WINDOW;
    let to = high;
    while (to > low) {
      const from = Math.max(low, to - window);
      let found: Written | undefined;
      await fetcher.fetchRange(topic, p, from, to, (messages) => {
        for (const m of messages) {
          if (header(m.headers['eddy.query']) !== queryId) continue;
          const w = { batch: Number(header(m.headers[HEADER_BATCH])), seq: Number(header(m.headers[HEADER_SEQ])) };
          if (Number.isSafeInteger(w.batch) && Number.isSafeInteger(w.seq) && (found === undefined || isAfter(w, found))) found = w;
        }
      });
      if (found) {
        out.set(p, found);
        break;
      }
      to = from;
      window *= 2;
    }
  }
  return out;
}
