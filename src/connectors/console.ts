/**
 * CREATE SINK s FROM x WITH (connector = 'console'): prints every change as a line,
 * `batch 3 + {"auction":1000,"price":42}` (`-` for a delete). A redelivered batch is printed again,
 * marked `(redelivered)`, since a terminal cannot take lines back. No options.
 */
import type { OutputMode } from '../catalog/output-mode.js';
import type { Column, SinkObject } from '../catalog/types.js';
import type { Options } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';
import { readOptions } from './options.js';
import type { ConnectorEnv, SinkBatch, SinkConnector, SinkWriter } from './types.js';
import { DeliveryLog } from './delivery-log.js';

const NAME = 'console';

export type LineWriter = (line: string) => void;

const stdoutLine: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export class ConsoleSinkWriter implements SinkWriter {
  private readonly log = new DeliveryLog();

  constructor(private readonly write: LineWriter) {}

  async deliver(batch: SinkBatch): Promise<{ rows: number }> {
    const redelivered = this.log.isRedelivery(batch.batchId);
    let rows: Record<string, unknown>[];
    try {
      rows = await batch.conn.objects(`SELECT * FROM ${batch.relation}`);
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `sink "${batch.queryName}": cannot read batch ${batch.batchId}: ${(e as Error).message}`, { cause: e });
    }
    const prefix = `batch ${batch.batchId}${redelivered ? ' (redelivered)' : ''}`;
    for (const { __op: op, ...row } of rows) {
      this.write(`${prefix} ${Number(op) < 0 ? '-' : '+'} ${JSON.stringify(row, jsonValue)}`);
    }
    this.log.delivered(batch.batchId);
    return { rows: rows.length };
  }

  async close(): Promise<void> {}
}

export class ConsoleSinkConnector implements SinkConnector {
  readonly kind = 'sink';
  readonly name = NAME;
  readonly outputModes: readonly OutputMode[] = ['append', 'update', 'changelog', 'complete'];

  /** `write` receives each line without its newline (tests inject one; default: stdout). */
  constructor(private readonly write: LineWriter = stdoutLine) {}

  async validate(name: string, _columns: readonly Column[], options: Options, _env: ConnectorEnv): Promise<Options> {
    readOptions({ objectKind: 'sink', objectName: name, connector: NAME }, {}, options);
    return {};
  }

  async open(_sink: SinkObject, _env: ConnectorEnv): Promise<SinkWriter> {
    return new ConsoleSinkWriter(this.write);
  }
}

export const consoleSink = new ConsoleSinkConnector();
