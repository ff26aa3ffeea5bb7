/**
 * GET /v1/subscribe/:name: an NDJSON stream of a query's changes, the snapshot first, until the client
 * disconnects. Lines are the websocket messages without an id. The stream's memory is bounded like a
 * websocket's: a client that reads too slowly gets a slow_consumer line and is disconnected.
 */
import type { FastifyInstance } from 'fastify';
import { BoundedOutbox } from '../../ws/bounded-outbox.js';
import type { Change, ChangeSink, Engine } from '../../../engine/index.js';
import type { SessionLimits } from '../../ws/client-session.js';
import { jsonRow, stringifyJson } from '../json-values.js';
import { changeMessage, nameParams, subscribeQuery, withErrors } from '../schemas.js';

interface SubscribeQuery {
  readonly snapshot?: boolean;
  readonly from_batch?: number;
}

function* lines(changes: readonly Change[], head: Record<string, unknown>): Generator<string> {
  for (const c of changes) yield `${stringifyJson({ ...head, op: c.op, row: jsonRow(c.row) })}\n`;
}

export function registerSubscribeRoute(app: FastifyInstance, engine: Engine, limits: SessionLimits): void {
  app.get<{ Params: { name: string }; Querystring: SubscribeQuery }>(
    '/v1/subscribe/:name',
    {
      schema: {
        summary: 'Stream a query\'s changes as NDJSON',
        description: 'One JSON object per line: {"type":"subscribed"}, then {"type":"snapshot"} rows, then {"type":"change"} rows as batches commit. Ends when the client disconnects.',
        produces: ['application/x-ndjson'],
        params: nameParams,
        querystring: subscribeQuery,
        response: withErrors({ 200: changeMessage }),
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const res = reply.raw;
      let unsubscribe: (() => void) | null = null;
      let ended = false;
      const finish = (): void => {
        if (ended) return;
        ended = true;
        outbox.close();
        unsubscribe?.();
      };
      const outbox = new BoundedOutbox(
        (text, flushed) => void res.write(text, flushed),
        { maxQueuedBytes: limits.maxBufferedBytes, maxLazyRuns: limits.maxPendingBatches },
        (why) => {
          finish();
          res.end(`${stringifyJson({ type: 'error', code: 'slow_consumer', message: `the client reads too slowly: ${why}` })}\n`);
          setTimeout(() => res.destroy(), 5000).unref();
        },
        finish,
      );
      const line = (message: Record<string, unknown>): boolean => outbox.push(`${stringifyJson(message)}\n`);
      const sink: ChangeSink = {
        ready: (snapshot, batch, replay) => {
          reply.hijack();
          res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
          line({ type: 'subscribed', name, batch, snapshot_rows: snapshot?.length ?? 0 });
          if (snapshot && snapshot.length > 0) outbox.pushLazy(lines(snapshot.map((row) => ({ op: 'insert' as const, row })), { type: 'snapshot', name, batch }));
          for (const b of replay) sink.changes(b);
        },
        changes: (b) => {
          outbox.pushLazy(lines(b.changes, { type: 'change', name, batch: b.batch }));
        },
        end: (reason) => {
          line({ type: 'error', code: 'subscription_ended', sqlstate: reason.sqlstate, message: `subscription ended: ${reason.message}`, hint: reason.hint ?? null });
          finish();
          res.end();
        },
      };
      res.on('close', finish);
      // an unknown query or a resume point too old is an ordinary JSON error (nothing is streamed yet)
      unsubscribe = await engine.subscribe(name, { snapshot: request.query.snapshot ?? true, fromBatch: request.query.from_batch }, sink);
      if (ended) unsubscribe();
      return reply;
    },
  );
}
