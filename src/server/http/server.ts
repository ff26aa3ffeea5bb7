/**
 * The HTTP server (DESIGN.md §5): fastify with the REST routes, and the websocket endpoint /v1/ws on
 * the same port. Optional bearer tokens guard everything but /healthz and /openapi.json.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { BearerTokens, unauthorized } from '../auth/bearer-tokens.js';
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from '../ws/client-session.js';
import { attachWsEndpoint, WS_PATH } from '../ws/ws-endpoint.js';
import { errorBody, httpError } from './error-body.js';
import { checkJsonDepth, DEFAULT_MAX_JSON_DEPTH } from './json-depth.js';
import { MetricsCollector } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { registerQueryRoutes } from './routes/query-routes.js';
import { registerSourceRoutes } from './routes/source-routes.js';
import { registerSqlRoutes } from './routes/sql-routes.js';
import { registerSubscribeRoute } from './routes/subscribe-route.js';
import { errorSchema } from './schemas.js';
import { EddyError } from '../../util/errors.js';

export interface HttpLimits extends SessionLimits {
  /** Largest request body, except rows appended to a source. */
  readonly bodyLimitBytes: number;
  /** Largest body of POST /v1/sources/:name/rows. */
  readonly rowsBodyLimitBytes: number;
  /** Deepest nesting of arrays and objects in a JSON (or NDJSON) body. */
  readonly maxJsonDepth: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  ...DEFAULT_SESSION_LIMITS,
  bodyLimitBytes: 1024 * 1024,
  rowsBodyLimitBytes: 64 * 1024 * 1024,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
};

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Bearer tokens; none means no authentication. */
  readonly tokens?: readonly string[];
  readonly limits?: Partial<HttpLimits>;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** Connected websocket clients. */
  readonly wsClients: number;
  close(): Promise<void>;
}

/** Paths anyone may read, even when tokens are required. */
const OPEN_PATHS = new Set(['/healthz', '/openapi.json']);

function packageVersion(): string {
  try {
    const text = fs.readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: string }).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

export async function startHttpServer(engine: Engine, options: HttpServerOptions): Promise<HttpServer> {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const tokens = new BearerTokens(options.tokens ?? []);
  const app = fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    forceCloseConnections: true,
    // A URL the router cannot take (bad percent-encoding, a name past its length) gets an error body too.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = httpError(error);
      void (reply as FastifyReply).status(status).send(body);
    },
  });
  const openapi = new OpenApiCollector({ Error: errorSchema });
  const metrics = new MetricsCollector(engine, () => engine.subscriberCounts());

  app.addSchema(errorSchema);
  app.addHook('onRoute', (route) => openapi.onRoute(route));
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (OPEN_PATHS.has(path)) return;
    const queryToken = path.startsWith('/v1/subscribe/') ? new URL(request.url, 'http://localhost').searchParams.get('token') : null;
    if (!tokens.allows(request.headers.authorization, queryToken)) {
      await reply.status(401).header('WWW-Authenticate', 'Bearer').send(errorBody(unauthorized()));
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined) checkJsonDepth(request.body, limits.maxJsonDepth);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = httpError(error, request.routeOptions.bodyLimit);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.status(404).send(errorBody(new EddyError('INVALID_PARAMETER', `no route ${request.method} ${request.url.split('?')[0]}`, { hint: 'GET /openapi.json lists the routes' }))),
  );

  registerSqlRoutes(app, engine);
  registerQueryRoutes(app, engine);
  registerSourceRoutes(app, engine, limits.rowsBodyLimitBytes);
  registerSubscribeRoute(app, engine, limits);
  registerOpsRoutes(app, engine, metrics, openapi, packageVersion());

  await app.ready();
  const ws = attachWsEndpoint(app.server, engine, tokens, limits);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    app,
    get wsClients() {
      return ws.clients;
    },
    close: () =>
      (closing ??= (async () => {
        metrics.close();
        await ws.close();
        await app.close();
      })()),
  };
}

export { WS_PATH };
