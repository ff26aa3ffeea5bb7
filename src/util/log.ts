import { pino, type Logger } from 'pino';

/**
 * The process logger. Level from EDDY_LOG_LEVEL (default: warn, so `eddy run` output stays clean).
 * An environment variable and not an EngineOption: the logger is the process's, made when this
 * module loads, before any engine exists, and it serves every module, the servers' and the CLI's too.
 */
export const log: Logger = pino({
  name: 'eddy',
  level: process.env.EDDY_LOG_LEVEL ?? 'warn',
}, pino.destination(2));
