/**
 * JSON schemas of the HTTP API's requests and responses. Fastify validates requests and serialises
 * responses with them, and /openapi.json is generated from them, so the three cannot drift apart.
 */

/** Any JSON value (a row value, a progress offset). */
const anyValue = {};

export const statementResult = {
  type: 'object',
  required: ['tag', 'columns', 'rows'],
  properties: {
    tag: { type: 'string', description: "the command tag, e.g. 'SELECT 3', 'CREATE SOURCE'" },
    columns: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type'],
        properties: { name: { type: 'string' }, type: { type: 'string', description: 'the DuckDB type, e.g. BIGINT, VARCHAR' } },
      },
    },
    rows: {
      type: 'array',
      description: 'one array of values per row, in column order; integers beyond 2^53 are strings',
      items: { type: 'array', items: anyValue },
    },
    notices: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'sqlstate', 'message', 'position', 'hint'],
      properties: {
        code: { type: 'string', description: 'a stable Eddy error code, e.g. SYNTAX_ERROR' },
        sqlstate: { type: 'string', description: 'the PostgreSQL SQLSTATE, e.g. 42601' },
        message: { type: 'string' },
        position: {
          type: ['object', 'null'],
          description: 'where in the SQL text the error is',
          properties: { offset: { type: 'integer' }, line: { type: 'integer' }, column: { type: 'integer' } },
        },
        hint: { type: ['string', 'null'] },
      },
    },
    results: { type: 'array', items: statementResult, description: 'POST /v1/sql: the results of the statements before the failing one' },
  },
} as const;

const errorRef = { $ref: 'Error#' };

/** The error responses every route may give (validation, auth, engine errors). */
export function withErrors(responses: Record<number, unknown>): Record<number, unknown> {
  return { ...responses, 400: errorRef, 401: errorRef, 404: errorRef, 409: errorRef, 422: errorRef, 500: errorRef, 503: errorRef };
}

export const sqlRequest = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: { sql: { type: 'string', minLength: 1, description: 'one or more statements separated by ;' } },
} as const;

export const sqlResponse = {
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: statementResult } },
} as const;

const queryInfo = {
  type: 'object',
  required: ['name', 'kind', 'status', 'lastBatch', 'error'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['materialized_view', 'sink'] },
    status: { type: 'string', description: 'running, retrying, paused or failed' },
    lastBatch: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
  },
} as const;

export const queriesResponse = {
  type: 'object',
  required: ['queries'],
  properties: { queries: { type: 'array', items: queryInfo } },
} as const;

/** A progress object (src/exec/progress.ts), passed through as the engine records it. */
const progress = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'name', 'batchId', 'timestamp', 'numInputRows', 'durationMs'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    batchId: { type: 'integer' },
    timestamp: { type: 'string' },
    numInputRows: { type: 'number' },
    inputRowsPerSecond: { type: 'number' },
    processedRowsPerSecond: { type: 'number' },
    durationMs: { type: 'object', additionalProperties: { type: 'number' } },
    eventTime: { type: 'object', additionalProperties: { type: 'string' } },
    stateOperators: { type: 'array', items: { type: 'object', additionalProperties: true } },
    sources: { type: 'array', items: { type: 'object', additionalProperties: true } },
    sink: { type: 'object', additionalProperties: true },
  },
} as const;

export const queryResponse = {
  type: 'object',
  required: ['query', 'progress', 'recentProgress'],
  properties: {
    query: queryInfo,
    progress: { anyOf: [progress, { type: 'null' }], description: 'the latest batch' },
    recentProgress: { type: 'array', items: progress, description: 'the last batches, oldest first (at most 100)' },
  },
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 } },
} as const;

export const dropResponse = {
  type: 'object',
  required: ['dropped', 'tag'],
  properties: { dropped: { type: 'string' }, tag: { type: 'string' } },
} as const;

export const rowsRequest = {
  description: 'a JSON array of row objects (application/json) or one JSON object per line (application/x-ndjson)',
  type: 'array',
  items: { type: 'object', additionalProperties: anyValue },
} as const;

export const rowsResponse = {
  type: 'object',
  required: ['source', 'rows'],
  properties: { source: { type: 'string' }, rows: { type: 'integer', description: 'rows appended' } },
} as const;

export const subscribeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    snapshot: { type: 'boolean', default: true, description: 'start with the current rows' },
    from_batch: { type: 'integer', minimum: 0, description: 'resume: every change of batches >= from_batch (kept by the server for a while)' },
    token: { type: 'string', description: 'a bearer token, for clients that cannot set headers' },
  },
} as const;

/** One line of the NDJSON subscription stream (and one websocket data message). */
export const changeMessage = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['subscribed', 'snapshot', 'change', 'error'] },
    name: { type: 'string' },
    batch: { type: 'integer' },
    op: { type: 'string', enum: ['insert', 'delete'] },
    row: { type: 'object', additionalProperties: anyValue },
    snapshot_rows: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const healthResponse = {
  type: 'object',
  required: ['status', 'queries'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    queries: { type: 'object', additionalProperties: { type: 'integer' }, description: 'queries per status' },
    reason: { type: 'string', description: 'why the server is unavailable (503 only)' },
    storage: {
      type: 'object',
      description: 'the data directory while it refuses writes (503 only)',
      required: ['state', 'reason', 'since', 'attempts', 'recoveries'],
      properties: {
        state: { type: 'string', enum: ['ok', 'failing', 'recovering'] },
        reason: { type: ['string', 'null'] },
        since: { type: ['string', 'null'] },
        attempts: { type: 'integer' },
        recoveries: { type: 'integer' },
      },
    },
  },
} as const;

export const textResponse = { type: 'string' } as const;
