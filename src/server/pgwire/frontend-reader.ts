/**
 * Frames the bytes a PostgreSQL client sends into messages. The first packet of a connection
 * (startup, SSLRequest, GSSENCRequest, CancelRequest) has no type byte; every later message has one.
 */
import { EddyError } from '../../util/errors.js';

/** A message larger than this is refused: a client cannot make the server buffer without bound. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface FrontendMessage {
  /** The type byte as a character ('Q', 'P', 'B', ...). */
  readonly type: string;
  readonly body: Buffer;
}

export class FrontendReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  /** The next untyped packet's body (after its length), or null until it has fully arrived. */
  nextUntyped(): Buffer | null {
    if (this.buffer.length < 4) return null;
    const length = this.buffer.readInt32BE(0);
    checkLength(length);
    if (this.buffer.length < length) return null;
    const body = this.buffer.subarray(4, length);
    this.buffer = this.buffer.subarray(length);
    return body;
  }

  /** The next typed message, or null until it has fully arrived. */
  next(): FrontendMessage | null {
    if (this.buffer.length < 5) return null;
    const length = this.buffer.readInt32BE(1);
    checkLength(length);
    if (this.buffer.length < length + 1) return null;
    const message = { type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, length + 1) };
    this.buffer = this.buffer.subarray(length + 1);
    return message;
  }
}

function checkLength(length: number): void {
  if (length < 4 || length > MAX_MESSAGE_BYTES) {
    throw new EddyError('INVALID_PARAMETER', `invalid message length ${length} from the client (at most ${MAX_MESSAGE_BYTES} bytes)`);
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
  return new EddyError('INVALID_PARAMETER', `malformed protocol message: ${what}`);
}
