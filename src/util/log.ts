import { pino, type Logger } from 'pino';

/** The process logger. Level from EDDY_LOG_LEVEL (default: warn, so `eddy run` output stays clean). */
export const log: Logger = pino({
  name: 'eddy',
  level: process.env.EDDY_LOG_LEVEL ?? 'warn',
}, pino.destination(2));
