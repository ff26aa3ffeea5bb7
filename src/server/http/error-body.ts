/** Errors as the HTTP API returns them: `{"error": {code, sqlstate, message, position, hint}}`. */
import { asEddyError, EddyError } from '../../util/errors.js';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly sqlstate: string;
    readonly message: string;
    readonly position: { readonly offset: number; readonly line: number; readonly column: number } | null;
    readonly hint: string | null;
  };
}

export function errorBody(error: EddyError): ErrorBody {
  return {
    error: {
      code: error.code,
      sqlstate: error.sqlstate,
      message: error.message,
      position: error.position ? { offset: error.position.offset, line: error.position.line, column: error.position.column } : null,
      hint: error.hint ?? null,
    },
  };
}

/**
 * Maps anything thrown while serving a request to an EddyError and its status. Fastify's own errors
 * (schema validation, bad JSON, wrong content type) carry a statusCode and become INVALID_PARAMETER;
 * a body over the route's limit (`bodyLimit`, when known) is LIMIT_EXCEEDED.
 */
export function httpError(e: unknown, bodyLimit?: number): { status: number; body: ErrorBody } {
  if (e instanceof EddyError) return { status: e.httpStatus, body: errorBody(e) };
  const fastifyError = e as { statusCode?: number; validation?: unknown; message?: string; code?: string };
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = bodyLimit === undefined ? 'its limit' : `the limit of ${bodyLimit} bytes`;
    const error = new EddyError('LIMIT_EXCEEDED', `the request body exceeds ${limit}`, {
      hint: 'send fewer rows or less SQL per request, or raise the limit (eddy serve --http-max-body-bytes, --http-max-rows-body-bytes)',
    });
    return { status: error.httpStatus, body: errorBody(error) };
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const error = new EddyError('INVALID_PARAMETER', `invalid request: ${fastifyError.message ?? 'bad request'}`);
    return { status: fastifyError.statusCode, body: errorBody(error) };
  }
  const error = asEddyError(e, 'INTERNAL');
  return { status: error.httpStatus, body: errorBody(error) };
}
