export { Engine, type EngineOptions, type QueryInfo } from './engine.js';
export type { StatementResult } from './statement-result.js';
export type { PullResult } from './pull-query.js';
