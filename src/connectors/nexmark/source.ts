/**
 * CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events_per_second = 10000, ...).
 *
 * Options:
 * - table: 'person' | 'auction' | 'bid' (required).
 * - events_per_second (default 10000): sets event time, event id N happening at
 *   base_time + N * 1000 / events_per_second ms (Beam's inter-event delay), and, when rate limited,
 *   how fast events are released.
 * - rate_limited (default true): event N is released when the wall clock reaches
 *   start_time + N * 1000 / events_per_second ms. `rate_limited = false` releases every event at
 *   once, for benchmarks; it requires max_events so that "everything available" stays finite.
 *   Event times are the same either way.
 * - max_events (optional): the number of events (of all three kinds) generated in total.
 * - base_time (default 2015-07-15 00:00:00 UTC, Beam's Nexmark base time): the event time of
 *   event 0, an ISO timestamp (UTC unless it carries a zone) or epoch milliseconds. The default is a
 *   constant rather than the creation time so that person, auction and bid sources created at
 *   different moments line up in event time (their joins depend on it) and every run generates the
 *   same rows.
 * - start_time (default: when the source is created): the wall-clock time at which event 0 is
 *   released; only the release pace depends on it. Stored normalised, so a restart keeps the pace.
 * - seed (default 0): a different seed generates different (but equally deterministic) data.
 *
 * The offset is the next global event id: (start, end] covers event ids [start, end).
 */
import type { Column, SourceObject } from '../../catalog/types.js';
import type { Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { opt, readOptions, toOptions } from '../options.js';
import type { ConnectorEnv, LoadStats, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { countBefore, eventIdOf } from './event-ids.js';
import { generatorSelect, type GeneratorSettings } from './generator-sql.js';
import { NEXMARK_COLUMNS, NEXMARK_TABLES, type NexmarkTable } from './schema.js';
import { z } from 'zod';

const NAME = 'nexmark';

const optionShape = {
  table: opt.oneOf(NEXMARK_TABLES),
  events_per_second: opt.int(1).default(10_000),
  rate_limited: opt.bool().default(true),
  max_events: opt.int(0).optional(),
  base_time: z.union([z.number(), z.string()], { error: 'expected an ISO timestamp or epoch milliseconds' }).optional(),
  start_time: z.union([z.number(), z.string()], { error: 'expected an ISO timestamp or epoch milliseconds' }).optional(),
  seed: opt.int(0).default(0),
};

/** The default event time of event 0: Beam's Nexmark base time, 2015-07-15 00:00:00 UTC. */
export const NEXMARK_DEFAULT_BASE_TIME_MS = Date.UTC(2015, 6, 15);

interface NexmarkSettings extends GeneratorSettings {
  /** Wall-clock epoch ms at which event 0 is released (rate limiting only). */
  readonly startTimeMs: number;
  readonly rateLimited: boolean;
  readonly maxEvents: number | undefined;
}

function parseTime(source: string, option: string, value: string | number): number {
  if (typeof value === 'number') return Math.trunc(value);
  const text = value.trim();
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text.replace(' ', 'T')}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": option "${option}": cannot read "${value}" as a timestamp (connector "${NAME}")`, {
      hint: "write it like '2024-01-01 00:00:00' (UTC) or '2024-01-01T00:00:00+02:00'",
    });
  }
  return ms;
}

/**
 * Sources stored before start_time existed released event 0 at their base_time, which was their
 * creation time; keep that pace for them. A new source gets start_time stored by validate.
 */
function startTime(source: string, start: string | number | undefined, base: string | number | undefined): number {
  if (start !== undefined) return parseTime(source, 'start_time', start);
  if (base !== undefined) return parseTime(source, 'base_time', base);
  return Date.now();
}

/** Reads a nexmark source's options (as validated or as stored). */
export function nexmarkSettings(source: string, options: Options): NexmarkSettings {
  const o = readOptions({ objectKind: 'source', objectName: source, connector: NAME }, optionShape, options);
  if (!o.rate_limited && o.max_events === undefined) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": rate_limited = false needs max_events, or the source would never run dry (connector "${NAME}")`);
  }
  return {
    table: o.table,
    eventsPerSecond: o.events_per_second,
    baseTimeMs: o.base_time === undefined ? NEXMARK_DEFAULT_BASE_TIME_MS : parseTime(source, 'base_time', o.base_time),
    startTimeMs: startTime(source, o.start_time, o.base_time),
    seed: o.seed,
    rateLimited: o.rate_limited,
    maxEvents: o.max_events,
  };
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type.toUpperCase() === b[i]?.type.toUpperCase());
}

function eventId(offset: SourceOffset): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new EddyError('INTERNAL', `nexmark offset must be a non-negative integer event id, got ${JSON.stringify(offset)}`);
  }
  return offset;
}

export class NexmarkReader implements SourceReader {
  readonly initialOffset: SourceOffset = 0;

  constructor(
    private readonly settings: NexmarkSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async latestOffset(): Promise<SourceOffset> {
    const cap = this.settings.maxEvents ?? Number.MAX_SAFE_INTEGER;
    if (!this.settings.rateLimited) return cap;
    const elapsed = this.now() - this.settings.startTimeMs;
    // events whose release time (truncated to ms) is at or before now
    const released = elapsed < 0 ? 0 : Math.floor((elapsed * this.settings.eventsPerSecond) / 1000) + 1;
    return Math.min(released, cap);
  }

  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    const from = eventId(start);
    const to = eventId(latest);
    if (to <= from) return from;
    if (maxRows === undefined) return to;
    const limit = eventIdOf(this.settings.table, countBefore(this.settings.table, from) + Math.max(1, Math.floor(maxRows)));
    return Math.min(to, limit);
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return this.rowsBetween(eventId(start), eventId(end)) > 0;
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<LoadStats> {
    const from = eventId(start);
    const to = eventId(end);
    const rows = this.rowsBetween(from, to);
    if (rows > 0) {
      try {
        await conn.run(`INSERT INTO ${target} ${generatorSelect(this.settings, from, to, columns)}`);
      } catch (e) {
        throw new EddyError('QUERY_FAILED', `nexmark ${this.settings.table}: generating events [${from}, ${to}) failed: ${(e as Error).message}`, { cause: e });
      }
    }
    return { rows, badRows: 0, badRowExamples: [] };
  }

  describe(offset: SourceOffset): unknown {
    return { events: offset };
  }

  async close(): Promise<void> {}

  private rowsBetween(from: number, to: number): number {
    return to <= from ? 0 : countBefore(this.settings.table, to) - countBefore(this.settings.table, from);
  }
}

export const nexmarkSource: SourceConnector = {
  kind: 'source',
  name: NAME,

  async validate(name: string, columns: readonly Column[] | null, options: Options, _env: ConnectorEnv) {
    // a new source's release clock starts now; only stored options may lack start_time
    const s = nexmarkSettings(name, options.start_time === undefined ? { ...options, start_time: Date.now() } : options);
    const schema = NEXMARK_COLUMNS[s.table];
    if (columns !== null && !sameColumns(columns, schema)) {
      throw new EddyError('INVALID_PARAMETER', `source "${name}": a nexmark ${s.table} source has the columns (${schema.map((c) => `${c.name} ${c.type}`).join(', ')})`, {
        hint: 'leave out the column list and the connector supplies it',
      });
    }
    const normalised = toOptions({
      table: s.table,
      events_per_second: s.eventsPerSecond,
      rate_limited: s.rateLimited,
      max_events: s.maxEvents,
      base_time: new Date(s.baseTimeMs).toISOString(),
      start_time: new Date(s.startTimeMs).toISOString(),
      seed: s.seed,
    });
    return { columns: schema.map((c) => ({ ...c })), options: normalised };
  },

  async open(source: SourceObject, _env: ConnectorEnv): Promise<SourceReader> {
    return new NexmarkReader(nexmarkSettings(source.name, source.options));
  },
};

