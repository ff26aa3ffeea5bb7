/**
 * Kafka client settings shared by the Kafka source and sink: brokers, client id, TLS, SASL and
 * bounded retries, read from connector options; and how a kafkajs error becomes an EddyError
 * (SOURCE_UNAVAILABLE for a broker that cannot be reached or a topic that does not exist, so the query
 * retries with backoff instead of failing).
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { EddyError, isEddyError } from '../../util/errors.js';
import { opt } from '../options.js';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** The client options both connectors accept. */
export const clientOptionShape = {
  brokers: opt.string(),
  client_id: opt.string().default('eddy'),
  /** Attempts kafkajs makes before an operation fails (then the query itself retries with backoff). */
  retries: opt.int(0).default(5),
  connection_timeout_ms: opt.int(1).default(3000),
  request_timeout_ms: opt.int(1).default(30000),
  tls: opt.bool().default(false),
  tls_ca_file: opt.string().optional(),
  sasl_mechanism: opt.oneOf(SASL_MECHANISMS).optional(),
  sasl_username: opt.string().optional(),
  sasl_password: opt.string().optional(),
};

export interface ClientSettings {
  readonly brokers: string;
  readonly client_id: string;
  readonly retries: number;
  readonly connection_timeout_ms: number;
  readonly request_timeout_ms: number;
  readonly tls: boolean;
  readonly tls_ca_file?: string | undefined;
  readonly sasl_mechanism?: (typeof SASL_MECHANISMS)[number] | undefined;
  readonly sasl_username?: string | undefined;
  readonly sasl_password?: string | undefined;
}

/** Checks the combinations zod cannot: SASL needs a user and password. */
export function checkClientSettings(where: string, s: ClientSettings): void {
  if (s.sasl_mechanism !== undefined && (s.sasl_username === undefined || s.sasl_password === undefined)) {
    throw new EddyError('INVALID_PARAMETER', `${where}: sasl_mechanism needs sasl_username and sasl_password`);
  }
  if ((s.sasl_username !== undefined || s.sasl_password !== undefined) && s.sasl_mechanism === undefined) {
    throw new EddyError('INVALID_PARAMETER', `${where}: sasl_username and sasl_password need sasl_mechanism ('plain', 'scram-sha-256' or 'scram-sha-512')`);
  }
}

/** The stored form of the client settings (defaults filled in). */
export function clientOptions(s: ClientSettings): Record<string, string | number | boolean | undefined> {
  return {
    brokers: s.brokers,
    client_id: s.client_id,
    retries: s.retries,
    connection_timeout_ms: s.connection_timeout_ms,
    request_timeout_ms: s.request_timeout_ms,
    tls: s.tls,
    tls_ca_file: s.tls_ca_file,
    sasl_mechanism: s.sasl_mechanism,
    sasl_username: s.sasl_username,
    sasl_password: s.sasl_password,
  };
}

export function brokerList(s: ClientSettings): string[] {
  return s.brokers.split(',').map((b) => b.trim()).filter((b) => b !== '');
}

export function createKafka(s: ClientSettings): Kafka {
  const config: KafkaConfig = {
    brokers: brokerList(s),
    clientId: s.client_id,
    connectionTimeout: s.connection_timeout_ms,
    requestTimeout: s.request_timeout_ms,
    retry: { retries: s.retries, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  };
  if (s.tls) config.ssl = s.tls_ca_file ? { ca: [readFileSync(s.tls_ca_file, 'utf8')] } : true;
  if (s.sasl_mechanism && s.sasl_username !== undefined && s.sasl_password !== undefined) {
    config.sasl = { mechanism: s.sasl_mechanism, username: s.sasl_username, password: s.sasl_password } as SASLOptions;
  }
  return new Kafka(config);
}

/** kafkajs error types that mean "cannot reach the cluster or the topic for now". */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNonRetriableError',
  'KafkaJSLockTimeout',
]);

const UNAVAILABLE_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'BROKER_NOT_AVAILABLE', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION', 'COORDINATOR_NOT_AVAILABLE']);

function isUnavailable(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const err = cur as { name?: string; type?: string; code?: string; retriable?: boolean; cause?: unknown; originalError?: unknown };
    if (err.type && UNAVAILABLE_TYPES.has(err.type)) return true;
    if (err.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/.test(err.code)) return true;
    if (err.name && UNAVAILABLE_NAMES.has(err.name) && err.name !== 'KafkaJSNonRetriableError') return true;
    cur = err.originalError ?? err.cause;
  }
  return false;
}

/**
 * Wraps a kafkajs error: unavailable brokers or topics become SOURCE_UNAVAILABLE (the query retries),
 * anything else `otherwise` (default QUERY_FAILED).
 */
export function kafkaError(e: unknown, where: string, otherwise: 'QUERY_FAILED' | 'INVALID_PARAMETER' = 'QUERY_FAILED'): EddyError {
  if (isEddyError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (isUnavailable(e)) {
    return new EddyError('SOURCE_UNAVAILABLE', `${where}: Kafka is unavailable: ${message}`, {
      cause: e,
      hint: 'check that the brokers are up and the topic exists; the query retries by itself',
    });
  }
  return new EddyError(otherwise, `${where}: ${message}`, { cause: e });
}

export function topicMissing(where: string, topic: string, brokers: string): EddyError {
  return new EddyError('SOURCE_UNAVAILABLE', `${where}: topic "${topic}" does not exist on ${brokers} (or cannot be read)`, {
    hint: 'create the topic; the query retries by itself and continues once it exists',
  });
}
