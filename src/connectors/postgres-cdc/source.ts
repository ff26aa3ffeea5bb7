/**
 * The postgres-cdc source: a PostgreSQL table as an upsert stream, read by logical replication
 * (pgoutput) through a replication slot per reading query. The slot's exported snapshot is copied
 * first (snapshot.ts), then the changes committed after its consistent point stream in commit order
 * (replication.ts, changes.ts). Offsets are positions in that input (offsets.ts); the server is told
 * to forget WAL only up to what a committed offset holds, so a restart resumes from the last
 * committed LSN and re-reads exactly the batch it was in.
 */
import type { Column, SourceObject } from '../../catalog/types.js';
import type { Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import type { ConnectorEnv, LoadStats, ReaderIdentity, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { ChangeBuffer } from './changes.js';
import { loadCdcRows } from './load.js';
import { formatLsn, parseLsn } from './lsn.js';
import { cdcOffset, INITIAL_OFFSET, samePlace, type CdcOffset } from './offsets.js';
import { ReplicationStream } from './replication.js';
import { cdcSettings, NAME, settingsOptions, slotName, type CdcSettings } from './settings.js';
import { copySnapshot, dropSnapshot, recordedSnapshot, type SnapshotCopy } from './snapshot.js';
import { checkDeclaredColumns } from './columns.js';
import { connect, describeTable, dropPublication, dropSlot, ensurePublication, slotFree, upstreamError, where, withClient } from './upstream.js';

/** Bytes of changes held in memory before reading pauses (besides settings.bufferChanges). */
const BUFFER_BYTES = 64 * 1024 * 1024;
/** How long the first offsets of a stream wait for it to catch up with the server. */
const CATCH_UP_WAIT_MS = 10_000;
/** How long a re-run batch waits for the server to send again the changes it read before. */
const RESEND_WAIT_MS = 60_000;

/** Orders offsets: the snapshot's rows first, then changes by transaction and number. */
function atOrAfter(a: CdcOffset, b: CdcOffset): boolean {
  if (b.snapshot !== undefined) return a.snapshot === undefined || a.snapshot >= b.snapshot;
  if (a.snapshot !== undefined) return false;
  const la = parseLsn(a.lsn);
  const lb = parseLsn(b.lsn);
  if (la !== lb) return la > lb;
  return a.partial === undefined || (b.partial !== undefined && a.partial >= b.partial);
}

export class PostgresCdcReader implements SourceReader {
  readonly initialOffset: SourceOffset = INITIAL_OFFSET;
  private readonly at: string;
  private duckConn: Connection | null = null;
  private stream: ReplicationStream | null = null;
  private buffer: ChangeBuffer | null = null;
  private failure: Error | null = null;
  private snapshot: SnapshotCopy | null = null;
  /** Where the current stream started reading. */
  private floor: CdcOffset | null = null;
  private committedAt: CdcOffset | null = null;
  /**
   * The server's WAL position when the stream opened: the first offsets wait (a while) until the
   * stream got that far, so a query that starts, or restarts, reads what was committed upstream
   * before it rather than whatever had arrived in the first milliseconds.
   */
  private catchUpTo: bigint | null = null;
  /** Where startAt said to read from, until the stream opens there. */
  private pending: CdcOffset | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly source: SourceObject,
    private readonly settings: CdcSettings,
    private readonly env: ConnectorEnv,
    private readonly slot: string,
  ) {
    this.at = where(source.name, settings);
  }

  private async duck(): Promise<Connection> {
    this.duckConn ??= await this.env.db.connect();
    return this.duckConn;
  }

  private get consistentPoint(): string {
    if (!this.snapshot) throw new EddyError('INTERNAL', `${this.at}: no snapshot is open`);
    return formatLsn(this.snapshot.consistentPoint);
  }

  /**
   * Only notes where to read from: the stream opens (and the snapshot is taken) in the query's loop,
   * so a query starts while the server is down and retries, and CREATE does not copy the snapshot
   * inside the statement queue.
   */
  async startAt(offset: SourceOffset): Promise<void> {
    const o = cdcOffset(offset);
    if (this.stream && this.failure === null && this.floor && atOrAfter(o, this.floor)) return;
    await this.stopStream();
    this.pending = o;
  }

  /** Opens the slot's stream where `o` stands, taking the snapshot first when there is none yet. */
  private async position(o: CdcOffset): Promise<void> {
    await this.stopStream();
    const duck = await this.duck();
    const columns = this.source.columns;
    let floor: CdcOffset;
    let rep;
    try {
      rep = await connect(this.settings, true);
    } catch (e) {
      throw upstreamError(e, this.at);
    }
    const stream = new ReplicationStream(rep);
    try {
      const exists = await withClient(this.settings, this.at, (c) => slotFree(c, this.slot));
      if (o.snapshot !== undefined) {
        let copy = await recordedSnapshot(duck, this.slot);
        if (copy === null || !exists) {
          if (o.snapshot > 0) throw this.lost(copy === null ? 'its copy of the snapshot is gone' : `replication slot "${this.slot}" is gone`);
          // a slot without a recorded copy was left by a crash during the copy: start over
          await withClient(this.settings, this.at, (c) => dropSlot(c, this.slot));
          await dropSnapshot(duck, this.slot);
          const created = await stream.createSlot(this.slot);
          copy = await withClient(this.settings, this.at, (c) => copySnapshot(c, duck, this.settings, columns, this.slot, created));
          log.info({ source: this.source.name, slot: this.slot, rows: copy.rows, lsn: formatLsn(copy.consistentPoint) }, 'copied the snapshot of a postgres-cdc source');
        }
        this.snapshot = copy;
        floor = { lsn: formatLsn(copy.consistentPoint), confirm: formatLsn(copy.consistentPoint) };
      } else {
        if (!exists) throw this.lost(`replication slot "${this.slot}" is gone`);
        // a copy left by a crash between the commit past it and its removal
        await dropSnapshot(duck, this.slot);
        floor = o;
      }
      // the insert position: under asynchronous commit the write position may not yet hold a commit that returned
      this.catchUpTo = parseLsn(await withClient(this.settings, this.at, async (c) => String((await c.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn)));
    } catch (e) {
      await stream.close();
      throw e instanceof EddyError ? e : upstreamError(e, this.at);
    }
    this.failure = null;
    this.pending = null;
    this.floor = floor;
    this.stream = stream;
    const buffer = new ChangeBuffer({ schema: this.settings.schema, name: this.settings.table }, columns, this.source.primaryKey ?? [], floor);
    this.buffer = buffer;
    stream.start(this.slot, this.settings.publication, parseLsn(floor.confirm), {
      message: (msg) => {
        buffer.take(msg);
        const size = buffer.size;
        if (size.changes >= this.settings.bufferChanges || size.bytes >= BUFFER_BYTES) stream.pause();
        this.wakeWaiters();
      },
      idle: (walEnd) => {
        buffer.sentUpTo(walEnd);
        this.wakeWaiters();
        // nothing uncommitted: the server may forget the WAL it has decoded (other tables' changes)
        if (buffer.idle(this.committedAt ?? floor)) stream.confirm(walEnd);
      },
      ended: (error) => {
        if (this.stream !== stream) return;
        this.failure = error;
        this.wakeWaiters();
      },
    });
  }

  private lost(why: string): EddyError {
    return new EddyError('QUERY_FAILED', `${this.at}: ${why}, so the changes after the last committed batch cannot be read`, {
      hint: 'ALTER MATERIALIZED VIEW (or SINK) ... RESET takes a new snapshot',
    });
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async stopStream(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    this.buffer = null;
    if (s) await s.close();
  }

  /** A stream that failed is opened again from what is committed (its buffer went with it). */
  private async live(): Promise<{ stream: ReplicationStream; buffer: ChangeBuffer }> {
    if (this.stream === null || this.failure !== null) {
      const from = this.pending ?? this.committedAt ?? this.floor;
      if (from === null) throw new EddyError('INTERNAL', `${this.at}: read before the query positioned it`);
      const failure = this.failure;
      if (failure) log.warn({ source: this.source.name, err: failure.message }, 'postgres-cdc stream ended; reconnecting');
      try {
        await this.position(from);
      } catch (e) {
        throw failure && !(e instanceof EddyError && e.code === 'QUERY_FAILED') ? upstreamError(failure, this.at) : e;
      }
    }
    return { stream: this.stream!, buffer: this.buffer! };
  }

  async latestOffset(): Promise<SourceOffset> {
    let { stream, buffer } = await this.live();
    if (this.catchUpTo !== null) {
      const target = this.catchUpTo;
      const deadline = Date.now() + CATCH_UP_WAIT_MS;
      while (!buffer.hasReceived(target) && !stream.isPaused && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          this.waiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
        // a stream that failed meanwhile opens again (from what is committed) and goes on catching up
        ({ stream, buffer } = await this.live());
      }
      this.catchUpTo = null;
    }
    // a transaction is read whole unless it fills the buffer
    return buffer.received(stream.isPaused);
  }

  endOffset(startOffset: SourceOffset, latestOffset: SourceOffset, maxRows: number | undefined): SourceOffset {
    const start = cdcOffset(startOffset);
    const latest = cdcOffset(latestOffset);
    let from = start;
    let budget = maxRows;
    if (start.snapshot !== undefined) {
      const total = this.snapshot?.rows ?? 0;
      const c = this.consistentPoint;
      const remaining = total - start.snapshot;
      if (maxRows !== undefined && remaining >= maxRows) {
        const to = start.snapshot + maxRows;
        return to === total ? { lsn: c, confirm: c } : { lsn: c, confirm: c, snapshot: to };
      }
      budget = maxRows === undefined ? undefined : maxRows - remaining;
      from = { lsn: c, confirm: c };
    }
    if (budget === undefined || this.buffer === null) return latest;
    const changes = this.buffer.range(from, latest);
    if (changes.length <= budget) return latest;
    if (budget === 0) return from;
    const last = changes[budget - 1]!;
    return { lsn: formatLsn(last.commitLsn), confirm: formatLsn(last.before), partial: last.index };
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return !samePlace(cdcOffset(start), cdcOffset(end));
  }

  async load(conn: Connection, target: string, startOffset: SourceOffset, endOffset: SourceOffset): Promise<LoadStats> {
    const start = cdcOffset(startOffset);
    const end = cdcOffset(endOffset);
    const buffer = await this.reached(end);
    const snapshot = start.snapshot !== undefined && this.snapshot
      ? { table: this.snapshot.table, from: start.snapshot, to: end.snapshot ?? this.snapshot.rows }
      : null;
    const changesFrom = start.snapshot !== undefined ? { lsn: this.consistentPoint, confirm: this.consistentPoint } : start;
    const changes = end.snapshot !== undefined ? [] : buffer.range(changesFrom, end);
    return loadCdcRows(conn, {
      source: this.source.name,
      qualifiedTable: `${this.settings.schema}.${this.settings.table}`,
      columns: this.source.columns,
      key: this.source.primaryKey ?? [],
      onError: this.settings.onError,
      casts: this.settings.casts,
      target,
      snapshot,
      changes,
    });
  }

  /** The buffer once it holds everything up to `end` (a re-run batch waits for the server to send it again). */
  private async reached(end: CdcOffset): Promise<ChangeBuffer> {
    const deadline = Date.now() + RESEND_WAIT_MS;
    for (;;) {
      const { stream, buffer } = await this.live();
      if (end.snapshot !== undefined || atOrAfter(buffer.received(true), end)) return buffer;
      if (Date.now() > deadline) {
        throw new EddyError('SOURCE_UNAVAILABLE', `${this.at}: the server has not sent the changes up to ${end.lsn} again`, { hint: 'the query retries the batch' });
      }
      if (stream.isPaused) stream.resume();
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000).unref();
      });
    }
  }

  async committed(offset: SourceOffset): Promise<void> {
    const o = cdcOffset(offset);
    this.committedAt = o;
    if (this.buffer) {
      this.buffer.trim(o);
      const size = this.buffer.size;
      if (this.stream?.isPaused && size.changes <= this.settings.bufferChanges / 2 && size.bytes < BUFFER_BYTES / 2) this.stream.resume();
    }
    if (o.lsn !== '0/0' && o.snapshot === undefined) {
      this.stream?.confirm(parseLsn(o.confirm));
      if (this.snapshot !== null || this.floor === null) {
        // past the snapshot: its copy is not needed any more
        await dropSnapshot(await this.duck(), this.slot);
        this.snapshot = null;
      }
    }
  }

  async release(): Promise<void> {
    await this.stopStream();
    try {
      await withClient(this.settings, this.at, (c) => dropSlot(c, this.slot));
    } catch (e) {
      log.warn({ source: this.source.name, slot: this.slot, err: (e as Error).message }, 'could not drop the replication slot of a dropped query; drop it upstream (SELECT pg_drop_replication_slot(...)) or it keeps WAL');
    }
    const duck = await this.duck();
    await dropSnapshot(duck, this.slot);
    await this.close();
  }

  describe(offset: SourceOffset): unknown {
    const o = cdcOffset(offset);
    return o.snapshot !== undefined ? { snapshot_rows: o.snapshot, of: this.snapshot?.rows ?? null } : { lsn: o.lsn, ...(o.partial !== undefined ? { changes: o.partial } : {}) };
  }

  async close(): Promise<void> {
    await this.stopStream();
    this.duckConn?.close();
    this.duckConn = null;
  }
}

export const postgresCdcSource: SourceConnector = {
  kind: 'source',
  name: NAME,

  async validate(name: string, columns: readonly Column[] | null, options: Options, _env: ConnectorEnv, key: readonly string[] = []) {
    const s = cdcSettings(name, options);
    const at = where(name, s);
    const created = await withClient(s, at, async (client) => {
      const table = await describeTable(client, s, at);
      checkDeclaredColumns(name, columns, key, table, s);
      return ensurePublication(client, s, at);
    });
    return { columns: (columns ?? []).map((c) => ({ ...c })), options: settingsOptions({ ...s, publicationCreated: s.publicationCreated || created }) };
  },

  async open(source: SourceObject, env: ConnectorEnv, reading?: ReaderIdentity): Promise<SourceReader> {
    if (!reading) throw new EddyError('INTERNAL', `source "${source.name}": a postgres-cdc reader needs its query`);
    return new PostgresCdcReader(source, cdcSettings(source.name, source.options), env, slotName(source.name, reading.queryId));
  },

  async dropped(source: SourceObject): Promise<void> {
    const s = cdcSettings(source.name, source.options);
    if (!s.publicationCreated) return;
    try {
      await withClient(s, where(source.name, s), (c) => dropPublication(c, s));
    } catch (e) {
      log.warn({ source: source.name, publication: s.publication, err: (e as Error).message }, 'could not drop the publication of a dropped postgres-cdc source');
    }
  },
};

