export { Engine, type EngineOptions, type QueryInfo } from './engine.js';
export type { StatementResult } from './statement-result.js';
export type { PullResult } from './pull-query.js';
export { subscriptionEnded, type ChangeBatch, type SubscriptionEnd } from '../exec/streaming-query.js';
export { ResumeUnavailable, DEFAULT_SUBSCRIPTION_LIMITS, type ChangeSink, type SubscribeRequest, type SubscriptionLimits } from './subscriptions.js';
export type { Change } from '../exec/changes.js';
export type { Progress } from '../exec/progress.js';
export type { ExecTuning } from '../exec/tuning.js';
