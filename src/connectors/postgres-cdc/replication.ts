/**
 * A logical replication connection (the walsender protocol inside CopyBoth): creates the slot with an
 * exported snapshot, then streams pgoutput from an LSN. The server is told what it may forget (the
 * standby status update's flush LSN) only when the reader says so: Eddy confirms an LSN after the
 * batch holding it committed. Reading pauses the socket when the reader's buffer is full, so a large
 * transaction never sits in memory whole.
 * https://www.postgresql.org/docs/15/protocol-replication.html
 */
import type pg from 'pg';
import { decodePgOutput, type PgOutputMessage } from './pgoutput.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { pgIdent, pgLiteral } from './settings.js';

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n;
/** How often the standby status goes out unasked (the server's wal_sender_timeout is 60 s by default). */
const STATUS_EVERY_MS = 10_000;

export interface CreatedSlot {
  readonly consistentPoint: Lsn;
  /** The exported snapshot, valid until the next command on this connection. */
  readonly snapshot: string;
}

export interface StreamHandlers {
  message(msg: PgOutputMessage): void;
  /** The server's position when it has sent everything before it (a keepalive). */
  idle(walEnd: Lsn): void;
  /** The stream ended or failed; no more messages come. */
  ended(error: Error): void;
}

interface PgConnection {
  on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): void;
  removeAllListeners(event: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

export class ReplicationStream {
  private flushed: Lsn = 0n;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private done = false;

  constructor(private readonly client: pg.Client) {}

  private get connection(): PgConnection {
    return (this.client as unknown as { connection: PgConnection }).connection;
  }

  async createSlot(slot: string): Promise<CreatedSlot> {
    const r = await this.client.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT ${pgIdent(slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const row = r.rows[0];
    if (!row) throw new Error(`CREATE_REPLICATION_SLOT ${slot} returned nothing`);
    return { consistentPoint: parseLsn(row.consistent_point), snapshot: row.snapshot_name };
  }

  /** Streams from `from` (the server starts at the slot's confirmed position when that is later). */
  start(slot: string, publication: string, from: Lsn, handlers: StreamHandlers): void {
    this.flushed = from;
    this.connection.on('copyData', ({ chunk }) => {
      if (this.done) return;
      try {
        this.onCopyData(chunk, handlers);
      } catch (e) {
        this.finish(handlers, e as Error);
      }
    });
    const sql = `START_REPLICATION SLOT ${pgIdent(slot)} LOGICAL ${formatLsn(from)} (proto_version '1', publication_names ${pgLiteral(pgIdent(publication))})`;
    this.client.query(sql).then(
      () => this.finish(handlers, new Error('the server ended the replication stream')),
      (e: Error) => this.finish(handlers, e),
    );
    this.timer = setInterval(() => this.sendStatus(false), STATUS_EVERY_MS);
    this.timer.unref();
  }

  private onCopyData(chunk: Buffer, handlers: StreamHandlers): void {
    const kind = String.fromCharCode(chunk[0]!);
    if (kind === 'w') {
      // XLogData: start, end of WAL, send time, then the plugin's message
      handlers.message(decodePgOutput(chunk.subarray(25)));
    } else if (kind === 'k') {
      const walEnd = chunk.readBigUInt64BE(1);
      const reply = chunk[17] === 1;
      handlers.idle(walEnd);
      if (reply) this.sendStatus(false);
    }
  }

  private finish(handlers: StreamHandlers, error: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    handlers.ended(error);
  }

  /** The server may forget the WAL before `lsn` (everything up to it is committed in Eddy). */
  confirm(lsn: Lsn): void {
    if (lsn <= this.flushed) return;
    this.flushed = lsn;
    this.sendStatus(false);
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.done) return;
    const b = Buffer.alloc(34);
    b.write('r', 0);
    b.writeBigUInt64BE(this.flushed, 1); // written
    b.writeBigUInt64BE(this.flushed, 9); // flushed
    b.writeBigUInt64BE(this.flushed, 17); // applied
    b.writeBigUInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
    b.writeUInt8(replyRequested ? 1 : 0, 33);
    try {
      this.connection.sendCopyFromChunk(b);
    } catch {
      // the stream is ending; its end is reported by the query
    }
  }

  pause(): void {
    if (this.paused || this.done) return;
    this.paused = true;
    this.connection.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection.stream.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async close(): Promise<void> {
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    this.resume();
    await this.client.end().catch(() => undefined);
  }
}
