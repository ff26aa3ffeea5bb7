export { Engine, type EngineOptions, type QueryInfo } from './engine.js';
export type { StatementResult } from './statement-result.js';
export type { PullResult } from './pull-query.js';
export { subscriptionEnded, type ChangeBatch, type SubscribeOptions, type Subscription, type SubscriptionEnd } from '../exec/streaming-query.js';
