/**
 * What one client may make the wire server hold or wait for, with PostgreSQL's values as defaults
 * where it has one. Before authentication a client is a stranger: its packets are kept small and its
 * time short; after it, a message may carry a large statement, up to `maxMessageBytes`.
 */
import { EddyError } from '../../util/errors.js';

export interface WireLimits {
  /** Sessions, authenticating or not (PostgreSQL's max_connections, default 100). */
  readonly maxConnections: number;
  /** The startup packet (PostgreSQL's MAX_STARTUP_PACKET_LENGTH, 10,000 bytes). */
  readonly maxStartupPacketBytes: number;
  /** A password or SASL message before authentication (PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, 65,535). */
  readonly maxAuthMessageBytes: number;
  /** From connecting to being authenticated (PostgreSQL's authentication_timeout, 60 s). */
  readonly authTimeoutMs: number;
  /** A Query, Parse, Bind or CopyData message after authentication: it bounds a statement's size. */
  readonly maxMessageBytes: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxConnections: 100,
  maxStartupPacketBytes: 10_000,
  maxAuthMessageBytes: 65_535,
  authTimeoutMs: 60_000,
  maxMessageBytes: 16 * 1024 * 1024,
};

/** Messages that carry statements or data; every other type is small (PostgreSQL's PQ_SMALL_MESSAGE_LIMIT). */
const LARGE_TYPES = new Set(['Q', 'P', 'B', 'd', 'F']);
const SMALL_MESSAGE_BYTES = 10_000;

/** The limit of a message of this type once the session is authenticated. */
export function sessionMessageLimit(limits: WireLimits, type: string): number {
  return LARGE_TYPES.has(type) ? limits.maxMessageBytes : Math.min(SMALL_MESSAGE_BYTES, limits.maxMessageBytes);
}

/** The error for a message over its limit; the session goes on after it. */
export function oversizedMessage(limits: WireLimits, type: string, length: number): EddyError {
  const limit = sessionMessageLimit(limits, type);
  const what = type === 'Q' || type === 'P' ? 'statement' : `${messageType(type)} message`;
  return new EddyError('LIMIT_EXCEEDED', `${what} of ${length} bytes exceeds the limit of ${limit} bytes`, {
    hint: LARGE_TYPES.has(type)
      ? 'split it into smaller statements, or raise the limit (eddy serve --pg-max-message-bytes)'
      : `a ${messageType(type)} message is at most ${limit} bytes`,
  });
}

/** A message type byte as it can be shown: a client may send any byte, NUL included. */
export function messageType(type: string): string {
  return /^[\x21-\x7e]$/.test(type) ? `'${type}'` : `\\x${type.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Checks configured limits, so that a typo fails at start-up rather than on the first client. */
export function wireLimits(overrides: Partial<WireLimits> = {}): WireLimits {
  const limits = { ...DEFAULT_WIRE_LIMITS, ...definedOnly(overrides) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new EddyError('INVALID_PARAMETER', `wire limit ${name} must be a positive number, not ${value}`);
  }
  return limits;
}

function definedOnly(o: Partial<WireLimits>): Partial<WireLimits> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
