/**
 * Optional bearer tokens for HTTP and websockets. With no token configured every request is allowed;
 * otherwise a request must carry `Authorization: Bearer <token>` (a websocket may instead pass
 * `?token=<token>`, since browsers cannot set headers on a websocket).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EddyError } from '../../util/errors.js';

export function unauthorized(): EddyError {
  return new EddyError('UNAUTHORIZED', 'a valid bearer token is required', {
    hint: 'send "Authorization: Bearer <token>" (websockets may pass ?token=<token>)',
  });
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class BearerTokens {
  /** Digests, so that comparing takes the same time whatever the token's length or content. */
  private readonly digests: readonly Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.filter((t) => t !== '').map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  /** Whether the Authorization header (or, for websockets, the token query parameter) is accepted. */
  allows(authorization: string | undefined, queryToken?: string | null): boolean {
    if (!this.required) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1] ?? queryToken ?? undefined;
    if (token === undefined) return false;
    const given = digest(token);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  }
}
