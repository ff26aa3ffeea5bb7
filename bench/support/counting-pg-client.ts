/**
 * A PostgreSQL wire client that counts what a query returns without keeping it: for results far
 * larger than a test should hold (drivers keep every row). Trust authentication only.
 */
import * as net from 'node:net';

export interface Counted {
  readonly rows: number;
  readonly bytes: number;
  /** The ErrorResponse's SQLSTATE and message, if the query failed. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

export class CountingPgClient {
  private buffer: Buffer = Buffer.alloc(0);
  private onMessage: ((type: string, body: Buffer) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 5) {
        const length = this.buffer.readInt32BE(1);
        if (this.buffer.length < length + 1) break;
        const type = String.fromCharCode(this.buffer[0]!);
        const body = this.buffer.subarray(5, length + 1);
        this.buffer = this.buffer.subarray(length + 1);
        this.onMessage?.(type, body);
      }
    });
  }

  static async connect(port: number): Promise<CountingPgClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new CountingPgClient(socket);
    const params = Buffer.from('user\0tester\0database\0eddy\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    const ready = client.untilReady();
    socket.write(Buffer.concat([startup, params]));
    await ready;
    return client;
  }

  /** Sends a simple Query and counts its DataRows until ReadyForQuery. */
  async query(sql: string): Promise<Counted> {
    const text = Buffer.from(`${sql}\0`);
    const header = Buffer.alloc(5);
    header.write('Q', 0);
    header.writeInt32BE(4 + text.length, 1);
    const done = this.untilReady();
    this.socket.write(Buffer.concat([header, text]));
    return done;
  }

  close(): void {
    this.socket.destroy();
  }

  private untilReady(): Promise<Counted> {
    return new Promise((resolve, reject) => {
      let rows = 0;
      let bytes = 0;
      let error: Counted['error'] = null;
      const closed = (): void => reject(new Error('the server closed the connection'));
      this.socket.once('close', closed);
      this.onMessage = (type, body) => {
        if (type === 'D') {
          rows++;
          bytes += body.length;
        } else if (type === 'E') error = errorFields(body);
        else if (type === 'Z') {
          this.onMessage = null;
          this.socket.off('close', closed);
          resolve({ rows, bytes, error });
        }
      };
    });
  }
}

function errorFields(body: Buffer): { code: string; message: string } {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    fields.set(String.fromCharCode(body[i]!), body.toString('utf8', i + 1, end));
    i = end + 1;
  }
  return { code: fields.get('C') ?? '', message: fields.get('M') ?? '' };
}
