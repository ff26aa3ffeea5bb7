export { PgServer, type PgServerOptions } from './server.js';
export { parseUsers, readUsersFile, type UserVerifiers } from './users.js';
export { formatVerifier, scramVerifier } from './scram.js';
export { DEFAULT_WIRE_LIMITS, type WireLimits } from './wire-limits.js';
