export type * from './ast.js';
export { parseScript, parseStatement } from './parser.js';
export { parseQueryBody, positionInQuery, type QueryBodyOptions } from './query-body.js';
