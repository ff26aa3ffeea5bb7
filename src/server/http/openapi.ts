/**
 * The OpenAPI 3.1 document, generated from the routes as fastify registers them (their JSON schemas),
 * so that /openapi.json describes exactly what the server validates and returns.
 */
import type { RouteOptions } from 'fastify';

interface RouteDoc {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown>;
}

/** Collects routes from fastify's onRoute hook. */
export class OpenApiCollector {
  private readonly routes: RouteDoc[] = [];

  constructor(private readonly sharedSchemas: Record<string, unknown>) {}

  onRoute(route: RouteOptions): void {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') this.routes.push({ method: method.toLowerCase(), url: route.url, schema });
  }

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      (paths[path] ??= {})[r.method] = operation(r);
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Eddy HTTP API', version, description: 'SQL, continuous queries, push sources and live subscriptions (see docs/SQL.md).' },
      components: {
        schemas: Object.fromEntries(Object.entries(this.sharedSchemas).map(([id, s]) => [id, withoutId(s)])),
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required when the server is started with --token or EDDY_TOKENS' } },
      },
      security: [{}, { bearer: [] }],
      paths,
    };
  }
}

function withoutId(schema: unknown): unknown {
  const { $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** Fastify's `$ref: 'Error#'` becomes OpenAPI's `#/components/schemas/Error`. */
function refs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refs);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' ? `#/components/schemas/${v.replace(/#$/, '')}` : refs(v);
  }
  return out;
}

function parameters(schema: unknown, where: 'path' | 'query'): unknown[] {
  const s = schema as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, p]) => {
    const { description, ...rest } = p;
    return { name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest };
  });
}

function operation(r: RouteDoc): Record<string, unknown> {
  const s = r.schema;
  const op: Record<string, unknown> = {};
  if (typeof s.summary === 'string') op.summary = s.summary;
  if (typeof s.description === 'string') op.description = s.description;
  const params = [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query')];
  if (params.length > 0) op.parameters = params;
  if (s.body) {
    const types = (s.consumes as string[] | undefined) ?? ['application/json'];
    op.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: refs(s.body) }])) };
  }
  const produces = (s.produces as string[] | undefined) ?? ['application/json'];
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries((s.response as Record<string, unknown> | undefined) ?? {})) {
    const isError = Number(status) >= 400;
    const types = isError ? ['application/json'] : produces;
    responses[status] = { description: isError ? 'an error' : 'success', content: Object.fromEntries(types.map((t) => [t, { schema: refs(schema) }])) };
  }
  op.responses = responses;
  return op;
}

/** The documentation keys our route schemas carry next to what fastify validates. */
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    consumes?: readonly string[];
    produces?: readonly string[];
    hide?: boolean;
  }
}
