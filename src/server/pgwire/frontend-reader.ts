/**
 * Frames the bytes a PostgreSQL client sends into messages. The first packet of a connection
 * (startup, SSLRequest, GSSENCRequest, CancelRequest) has no type byte; every later message has one.
 *
 * Every frame is checked against a limit as soon as its length arrives, before its body is buffered:
 * a client cannot make the server hold more than one limit's worth of bytes. A typed message over its
 * limit is skipped as it streams in (its bytes are dropped, not kept) and handed on as `oversized`, so
 * the session can answer it with an error and carry on, as the message boundaries are still known.
 */
import { EddyError } from '../../util/errors.js';
import { messageType } from './wire-limits.js';

/** No frame may claim more than this: PostgreSQL's own ceiling (MaxAllocSize), beyond any configured limit. */
const ABSOLUTE_MAX_BYTES = 0x3fffffff;

export interface FrontendMessage {
  /** The type byte as a character ('Q', 'P', 'B', ...). */
  readonly type: string;
  /** Empty when the message was oversized. */
  readonly body: Buffer;
  /** Set when the message was over its limit: its declared length (its body was dropped). */
  readonly oversized?: number;
}

export class FrontendReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes of an oversized message still to be dropped as they arrive. */
  private skipping = 0;

  /** Bytes received but not yet framed. */
  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (this.skipping > 0) {
      const dropped = Math.min(this.skipping, chunk.length);
      this.skipping -= dropped;
      chunk = chunk.subarray(dropped);
    }
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /**
   * The next untyped packet's body (after its length), or null until it has fully arrived. A packet
   * longer than `maxBytes` is a protocol violation: nothing can follow it before authentication.
   */
  nextUntyped(maxBytes: number): Buffer | null {
    const header = this.peek(4);
    if (!header) return null;
    const length = header.readInt32BE(0);
    if (length < 8 || length > maxBytes) {
      throw new EddyError('PROTOCOL_VIOLATION', `invalid length of startup packet: ${length} bytes (at most ${maxBytes})`);
    }
    if (this.size < length) return null;
    return this.take(length).subarray(4);
  }

  /**
   * The next typed message, or null until it has fully arrived. `maxBytes(type)` is the limit of a
   * message of that type (its length field included); a longer one comes back `oversized`.
   */
  next(maxBytes: (type: string) => number): FrontendMessage | null {
    const header = this.peek(5);
    if (!header) return null;
    const type = String.fromCharCode(header[0]!);
    const length = header.readInt32BE(1);
    if (length < 4 || length > ABSOLUTE_MAX_BYTES) {
      throw new EddyError('PROTOCOL_VIOLATION', `invalid message length ${length} in a ${messageType(type)} message`);
    }
    if (length > maxBytes(type)) {
      this.take(5);
      const dropNow = Math.min(length - 4, this.size);
      this.take(dropNow);
      this.skipping = length - 4 - dropNow;
      return { type, body: Buffer.alloc(0), oversized: length };
    }
    if (this.size < length + 1) return null;
    return { type, body: this.take(length + 1).subarray(5) };
  }

  /** The first n bytes, without consuming them (null until they arrived). */
  private peek(n: number): Buffer | null {
    if (this.size < n) return null;
    if (this.chunks[0]!.length < n) {
      let count = 1;
      for (let have = this.chunks[0]!.length; have < n; count++) have += this.chunks[count]!.length;
      this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count)));
    }
    return this.chunks[0]!;
  }

  /** Removes and returns the next n bytes (n <= size), copying only when they span chunks. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.size -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** Reads the fields of one message body in order. */
export class BodyReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.offset;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  byte(): string {
    this.need(1);
    return String.fromCharCode(this.body[this.offset++]!);
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw malformed('a string is not terminated');
    const s = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0) throw malformed(`a field claims a negative length (${n})`);
    this.need(n);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  private need(n: number): void {
    if (this.offset + n > this.body.length) throw malformed('a message is shorter than its fields');
  }
}

function malformed(what: string): EddyError {
  return new EddyError('PROTOCOL_VIOLATION', `malformed protocol message: ${what}`);
}
