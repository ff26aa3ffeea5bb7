/** GET /healthz, GET /metrics (Prometheus text), GET /openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../../engine/index.js';
import type { MetricsCollector } from '../metrics.js';
import type { OpenApiCollector } from '../openapi.js';
import { healthResponse, textResponse, withErrors } from '../schemas.js';

export function registerOpsRoutes(app: FastifyInstance, engine: Engine, metrics: MetricsCollector, openapi: OpenApiCollector, version: string): void {
  app.get('/healthz', { schema: { summary: 'Liveness, and queries per status', response: { 200: healthResponse } } }, async () => {
    const queries: Record<string, number> = {};
    for (const q of engine.queries()) queries[q.status] = (queries[q.status] ?? 0) + 1;
    return { status: 'ok', queries };
  });

  app.get(
    '/metrics',
    { schema: { summary: 'Metrics in the Prometheus text format', produces: ['text/plain'], response: withErrors({ 200: textResponse }) } },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );

  app.get(
    '/openapi.json',
    { schema: { summary: 'This API as an OpenAPI 3.1 document', response: { 200: { type: 'object', additionalProperties: true } } } },
    async () => openapi.document(version),
  );
}
