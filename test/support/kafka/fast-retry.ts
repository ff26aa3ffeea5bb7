/**
 * Imported first by the Kafka tests: short retry backoff and drain patience, so outage tests take
 * seconds. The engine takes them as EngineOptions.tuning (the core reads no environment).
 */
import type { ExecTuning } from '../../../src/engine/index.js';

export const FAST_RETRY: Partial<ExecTuning> = { retryMinMs: 50, retryMaxMs: 400, drainRetryMs: 1500 };

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
