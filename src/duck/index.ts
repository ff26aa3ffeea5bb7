export { Database, Connection, type ClientStatementKind, type DatabaseTuning, type QueryResult, type ResultColumn } from './database.js';
export { RowStream } from './row-stream.js';
export { quoteIdent, quoteLiteral, quoteQualified, sqlValue } from './quote.js';
export { fromDuckValue } from './values.js';
