/**
 * Which fields of a relation carry event time that a watermark bounds: a watermarked source's
 * time column, and what windows derive from it. The planner follows them through operators to
 * find the state that the watermark makes unreachable.
 */
import type { WindowEnd } from './nodes.js';

export type EventTime =
  /** An event-time value: once the watermark passes it (less `lagMicros`), no row with a smaller value arrives. */
  | { readonly kind: 'time'; readonly lagMicros?: number }
  /**
   * A window's bounds are never NULL where they are assigned (rows without a time belong to no
   * window); `nullable` marks them past an outer join that pads them with NULLs.
   */
  | { readonly kind: 'window_start'; readonly sizeMicros: number; readonly nullable?: true; readonly gridMicros?: number; readonly lagMicros?: number }
  | { readonly kind: 'window_end'; readonly nullable?: true; readonly gridMicros?: number; readonly lagMicros?: number };

/*
 * `lagMicros`: how far below the watermark a value may still arrive. Rows from the sources have none
 * (late rows are dropped); past a stream join a row may carry a stored row's time, which the join's
 * time bound keeps within a distance of the watermark. What closes by such a value closes that much
 * later.
 */

/*
 * `gridMicros`: the bound's values are multiples of it (TUMBLE and HOP windows are aligned to the
 * epoch; HOP's size is a multiple of its slide), so a state evicted by the bound changes only when
 * the watermark passes a multiple of it (see rule.ts, closesSince).
 */

/** Event-time fields by field name. */
export type EventTimes = ReadonlyMap<string, EventTime>;

export const NO_EVENT_TIMES: EventTimes = new Map();

/** How a field bounds a window's end: the end itself, the start plus the size, or the time itself. */
export function windowEndOf(field: string, time: EventTime): WindowEnd {
  switch (time.kind) {
    case 'window_end':
      return { field, plusMicros: (time.lagMicros ?? 0), notNull: time.nullable !== true, gridMicros: time.gridMicros ?? null };
    case 'window_start':
      return { field, plusMicros: time.sizeMicros + (time.lagMicros ?? 0), notNull: time.nullable !== true, gridMicros: time.gridMicros ?? null };
    case 'time':
      return { field, plusMicros: 1 + (time.lagMicros ?? 0), notNull: false, gridMicros: null };
  }
}

/** The grid a field's values lie on (see EventTime), or null. */
export function gridOf(time: EventTime | undefined): number | null {
  return time && time.kind !== 'time' ? (time.gridMicros ?? null) : null;
}

/** An event time as the side of an outer join that pads its rows with NULLs sees it. */
export function paddedTime(time: EventTime): EventTime {
  return time.kind === 'time' ? time : { ...time, nullable: true as const };
}

/** The best window end among some fields: a window end first, then a window start, then a time. */
export function findWindowEnd(fields: readonly string[], times: EventTimes): WindowEnd | null {
  const rank = { window_end: 0, window_start: 1, time: 2 } as const;
  let best: { field: string; time: EventTime } | null = null;
  for (const field of fields) {
    const time = times.get(field);
    if (time && (best === null || rank[time.kind] < rank[best.time.kind])) best = { field, time };
  }
  return best ? windowEndOf(best.field, best.time) : null;
}
