/**
 * CREATE SINK s FROM x WITH (connector = 'blackhole'): counts the rows it is given and discards them;
 * for benchmarks, where the cost of delivery should not count. Every column is read (counted), as a
 * real sink would read it, so that DuckDB cannot skip computing the query's output expressions. A
 * redelivered batch is not counted again. No options.
 */
import type { OutputMode } from '../catalog/output-mode.js';
import type { Column, SinkObject } from '../catalog/types.js';
import { quoteIdent } from '../duck/quote.js';
import type { Options } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';
import { readOptions } from './options.js';
import type { ConnectorEnv, SinkBatch, SinkConnector, SinkWriter } from './types.js';
import { DeliveryLog } from './delivery-log.js';

const NAME = 'blackhole';

export class BlackholeSinkWriter implements SinkWriter {
  private readonly log = new DeliveryLog();
  /** Rows delivered so far, redeliveries not counted. */
  totalRows = 0;

  async deliver(batch: SinkBatch): Promise<{ rows: number }> {
    let rows: number;
    try {
      const columns = batch.columns.map((c) => `, count(${quoteIdent(c.name)})`).join('');
      rows = Number(await batch.conn.scalar(`SELECT count(*)${columns} FROM ${batch.relation}`));
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `sink "${batch.queryName}": cannot read batch ${batch.batchId}: ${(e as Error).message}`, { cause: e });
    }
    if (!this.log.isRedelivery(batch.batchId)) this.totalRows += rows;
    this.log.delivered(batch.batchId);
    return { rows };
  }

  async close(): Promise<void> {}
}

export const blackholeSink: SinkConnector = {
  kind: 'sink',
  name: NAME,
  outputModes: ['append', 'update', 'changelog', 'complete'],
  async validate(name: string, _columns: readonly Column[], options: Options, _env: ConnectorEnv): Promise<Options> {
    readOptions({ objectKind: 'sink', objectName: name, connector: NAME }, {}, options);
    return {};
  },
  async open(_sink: SinkObject, _env: ConnectorEnv): Promise<SinkWriter> {
    return new BlackholeSinkWriter();
  },
};
