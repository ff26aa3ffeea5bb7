export { Database, Connection, type QueryResult, type ResultColumn } from './database.js';
export { quoteIdent, quoteLiteral, quoteQualified, sqlValue } from './quote.js';
export { fromDuckValue } from './values.js';
