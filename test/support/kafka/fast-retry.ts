/**
 * Imported first by the Kafka tests: short retry backoff and drain patience, so outage tests take
 * seconds. The runtime reads these when its module loads, hence a module of their own.
 */
process.env['EDDY_RETRY_MIN_MS'] ??= '50';
process.env['EDDY_RETRY_MAX_MS'] ??= '400';
process.env['EDDY_DRAIN_RETRY_MS'] ??= '1500';
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
export {};
