/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) on the server side, without channel binding, as PostgreSQL
 * does it: the user name comes from the startup packet; the one in the SCRAM message is ignored.
 */
import * as crypto from 'node:crypto';
import { EddyError } from '../../util/errors.js';

/** What the server keeps per user: never the password itself. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();

export function scramVerifier(password: string, salt: Buffer = crypto.randomBytes(16), iterations = 4096): ScramVerifier {
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return { iterations, salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** PostgreSQL's stored form: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64). */
export function formatVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

export function parseVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) return null;
  return { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey: Buffer.from(m[3]!, 'base64'), serverKey: Buffer.from(m[4]!, 'base64') };
}

function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) map.set(part[0]!, part.slice(2));
  }
  return map;
}

const invalid = (what: string): EddyError => new EddyError('PROTOCOL_VIOLATION', `invalid SCRAM exchange: ${what}`);

/**
 * One SCRAM exchange. `verifier` is null for an unknown user: the exchange runs against a made-up
 * verifier and fails at the end, so that a client cannot tell unknown users from wrong passwords.
 */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private readonly verifier: ScramVerifier;

  constructor(private readonly user: string, verifier: ScramVerifier | null) {
    this.verifier = verifier ?? { ...scramVerifier(crypto.randomBytes(16).toString('hex')), storedKey: crypto.randomBytes(32) };
    this.known = verifier !== null;
  }

  private readonly known: boolean;

  /** Takes client-first-message, returns server-first-message. */
  start(clientFirst: string): string {
    const gs2 = /^([ny]|p=[^,]*),([^,]*),(.*)$/s.exec(clientFirst);
    if (!gs2) throw invalid('malformed client-first-message');
    if (gs2[1]!.startsWith('p=')) throw new EddyError('FEATURE_NOT_SUPPORTED', 'SCRAM channel binding is not supported', { hint: 'connect with channel_binding=disable or prefer' });
    this.clientFirstBare = gs2[3]!;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) throw invalid('no client nonce');
    this.nonce = clientNonce + crypto.randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Takes client-final-message, checks the proof and returns server-final-message; throws when it does not match. */
  finish(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw invalid('no proof');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('r') !== this.nonce) throw invalid('the nonce does not match');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) throw this.failed();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    if (!this.known || !crypto.timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) throw this.failed();
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }

  private failed(): EddyError {
    return new EddyError('INVALID_PASSWORD', `password authentication failed for user "${this.user}"`);
  }
}
