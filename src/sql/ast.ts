/**
 * The typed Statement AST produced by the SQL front end (grammar/eddy.peggy for the envelope,
 * node-sql-parser for query bodies). One discriminated union: every consumer switches on `kind`.
 * It holds every statement a client can send, the PostgreSQL wire session's own included
 * (SessionStatement), so that nothing downstream reads SQL text again.
 */
import type { SqlPosition } from '../util/errors.js';

/** An option value in a WITH (...) list: strings stay strings, numbers and booleans are typed. */
export type OptionValue = string | number | boolean;

/** WITH (key = value, ...): keys lower-cased, in the order written. */
export type Options = Readonly<Record<string, OptionValue>>;

/** A column of CREATE SOURCE / CREATE TABLE: the type as DuckDB spells it (normalised to upper case). */
export interface ColumnDef {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
}

/** WATERMARK FOR col AS <expr>: the expression text as written, e.g. `date_time - INTERVAL '4' SECOND`. */
export interface WatermarkDef {
  readonly column: string;
  readonly expr: string;
}

/**
 * A query body (SELECT ... / WITH ... SELECT / ... UNION ALL ...), as text and as node-sql-parser's AST.
 * `start` is where the text begins in the script, so errors inside it point into the user's file.
 */
export interface QueryText {
  readonly text: string;
  readonly start: SqlPosition;
  /**
   * node-sql-parser (postgresql) AST of `text`, a Select node; parsed with locations (relative to `text`).
   * Flink's `TABLE(TUMBLE(TABLE t, DESCRIPTOR(c), size))` appears as `TUMBLE(t, c, size)`. null only for
   * pull queries node-sql-parser cannot read (DuckDB-only syntax), which run on DuckDB as written.
   */
  readonly ast: unknown;
  /**
   * The relations joined `FOR SYSTEM_TIME AS OF PROCTIME()` (by the name the query uses: alias, else
   * table), lower-cased; absent when none. The clause is blanked in what node-sql-parser reads.
   */
  readonly asOfProctime?: readonly string[];
}

interface StatementBase {
  /** The statement's full text as written (without the trailing `;`). */
  readonly sql: string;
  /** Where the statement begins in the script. */
  readonly start: SqlPosition;
}

export interface CreateSource extends StatementBase {
  readonly kind: 'create_source';
  readonly name: string;
  readonly ifNotExists: boolean;
  /** null when no column list was written (the connector supplies the schema, e.g. nexmark). */
  readonly columns: readonly ColumnDef[] | null;
  readonly watermark: WatermarkDef | null;
  readonly options: Options;
}

/** CREATE TABLE: a static, mutable DuckDB table; the statement is passed to DuckDB as written. */
export interface CreateTable extends StatementBase {
  readonly kind: 'create_table';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly orReplace: boolean;
  /** null for CREATE TABLE ... AS query. */
  readonly columns: readonly ColumnDef[] | null;
  /** The query of CREATE TABLE ... AS, as text (full DuckDB SQL is allowed, so it is not parsed here). */
  readonly asQuery: string | null;
  /** `APPEND ONLY`: rows are only ever inserted, so continuous queries read it as an append-only input. */
  readonly appendOnly: boolean;
  /** The statement DuckDB runs: the text without Eddy's own clauses (APPEND ONLY). */
  readonly duckSql: string;
}

/** INSERT INTO name ...: into a table (passed to DuckDB) or a push source (appended by the engine). */
export interface Insert extends StatementBase {
  readonly kind: 'insert';
  readonly table: string;
  /** Column list, or null when none was written. */
  readonly columns: readonly string[] | null;
  /** The rows part: `VALUES (...), (...)` or a query, as text (without ON CONFLICT and RETURNING). */
  readonly body: string;
  /** INSERT OR REPLACE / INSERT OR IGNORE (DuckDB's spellings of ON CONFLICT DO UPDATE / DO NOTHING). */
  readonly or: 'replace' | 'ignore' | null;
  readonly conflict: OnConflict | null;
  /** Whether the statement has a RETURNING clause. */
  readonly returning: boolean;
}

/** `ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET ...`. */
export interface OnConflict {
  /** The conflict target's columns, when written. */
  readonly target: readonly string[] | null;
  readonly action: 'nothing' | 'update';
}

/** UPDATE / DELETE on a table: passed to DuckDB as written; its parts tell which rows it changes. */
export interface UpdateOrDelete extends StatementBase {
  readonly kind: 'update' | 'delete';
  readonly table: string;
  /** DELETE FROM t [AS] alias; always null for UPDATE (DuckDB's UPDATE takes no alias). */
  readonly alias: string | null;
  /** UPDATE's FROM list or DELETE's USING list, as text. */
  readonly from: string | null;
  /** The WHERE condition, as text. */
  readonly where: string | null;
  readonly returning: boolean;
}

export interface CreateView extends StatementBase {
  readonly kind: 'create_view';
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly query: QueryText;
}

export interface CreateMaterializedView extends StatementBase {
  readonly kind: 'create_materialized_view';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly query: QueryText;
  readonly options: Options;
}

/** CREATE SINK name FROM relation WITH (...) or CREATE SINK name AS query WITH (...). */
export interface CreateSink extends StatementBase {
  readonly kind: 'create_sink';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly input: { readonly kind: 'from'; readonly name: string } | { readonly kind: 'query'; readonly query: QueryText };
  readonly options: Options;
}

/** A pull query (SELECT, WITH ... SELECT, VALUES, ...): runs once over current results in DuckDB. */
export interface Select extends StatementBase {
  readonly kind: 'select';
  readonly query: QueryText;
}

export type ExplainVariant = 'ast' | 'logical' | 'incremental';

export interface Explain extends StatementBase {
  readonly kind: 'explain';
  /** EXPLAIN AST | LOGICAL | INCREMENTAL; plain EXPLAIN means 'incremental'. */
  readonly variant: ExplainVariant;
  readonly statement: CreateMaterializedView | CreateSink | Select;
}

export type ShowTarget =
  | { readonly what: 'sources' | 'tables' | 'views' | 'materialized_views' | 'sinks' | 'queries' }
  | { readonly what: 'progress'; readonly name: string }
  /** SHOW CREATE [kind] name: objectKind is null when no kind was written. */
  | { readonly what: 'create'; readonly name: string; readonly objectKind?: ObjectKind | null };

export interface Show extends StatementBase {
  readonly kind: 'show';
  readonly target: ShowTarget;
}

export type ObjectKind = 'source' | 'table' | 'view' | 'materialized_view' | 'sink';

export interface Drop extends StatementBase {
  readonly kind: 'drop';
  readonly objectKind: ObjectKind;
  readonly names: readonly string[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

/** ALTER MATERIALIZED VIEW | SINK name PAUSE | RESUME | RESET. */
export interface Alter extends StatementBase {
  readonly kind: 'alter';
  readonly objectKind: 'materialized_view' | 'sink';
  readonly name: string;
  readonly action: 'pause' | 'resume' | 'reset';
}

/** SUBSCRIBE [TO] name: snapshot, then every change (served by the servers; the CLI rejects it). */
export interface Subscribe extends StatementBase {
  readonly kind: 'subscribe';
  readonly name: string;
  readonly options: Options;
}

/** FLUSH: returns once every running continuous query has processed the data accepted before it. */
export interface Flush extends StatementBase {
  readonly kind: 'flush';
}

// ------------------------------------------------------------------------ wire session statements

export type TransactionMode =
  | 'isolation level serializable'
  | 'isolation level repeatable read'
  | 'isolation level read committed'
  | 'isolation level read uncommitted'
  | 'read write'
  | 'read only'
  | 'deferrable'
  | 'not deferrable';

/**
 * BEGIN [WORK | TRANSACTION] [modes], START TRANSACTION [modes], COMMIT | END and ROLLBACK | ABORT
 * [WORK | TRANSACTION] [AND [NO] CHAIN]. Eddy groups nothing (every statement takes effect when it
 * runs); the session keeps PostgreSQL's transaction status for its clients.
 */
export interface Transaction extends StatementBase {
  readonly kind: 'transaction';
  /** 'start' is START TRANSACTION, which PostgreSQL answers with a tag of its own. */
  readonly action: 'begin' | 'start' | 'commit' | 'rollback';
  readonly modes: readonly TransactionMode[];
  /** AND CHAIN: a new transaction block begins as this one ends. */
  readonly chain: boolean;
}

/** SET [SESSION | LOCAL] name { TO | = } { value, ... | DEFAULT }, SET [SESSION | LOCAL] TIME ZONE value. */
export interface SetParameter extends StatementBase {
  readonly kind: 'set_parameter';
  readonly scope: 'session' | 'local';
  /** Lower-cased unless quoted, dotted for extension settings; `timezone` for SET TIME ZONE. */
  readonly name: string;
  /** The values as written (strings unquoted), or null for DEFAULT (and TIME ZONE LOCAL). */
  readonly values: readonly string[] | null;
}

/** SET TRANSACTION modes, or SET SESSION CHARACTERISTICS AS TRANSACTION modes (characteristics). */
export interface SetTransaction extends StatementBase {
  readonly kind: 'set_transaction';
  readonly characteristics: boolean;
  readonly modes: readonly TransactionMode[];
}

/**
 * RESET name, RESET ALL (name null). TIME ZONE, TRANSACTION ISOLATION LEVEL and SESSION
 * AUTHORIZATION are named as their parameters: timezone, transaction_isolation, session_authorization.
 */
export interface ResetParameter extends StatementBase {
  readonly kind: 'reset_parameter';
  readonly name: string | null;
}

/** SHOW name, SHOW ALL (name null); multi-word names as in ResetParameter. Eddy's SHOW SOURCES ... is `show`. */
export interface ShowParameter extends StatementBase {
  readonly kind: 'show_parameter';
  readonly name: string | null;
}

/** DISCARD ALL | PLANS | SEQUENCES | TEMP[ORARY]. */
export interface Discard extends StatementBase {
  readonly kind: 'discard';
  readonly target: 'all' | 'plans' | 'sequences' | 'temp';
}

/** DEALLOCATE [PREPARE] name, DEALLOCATE ALL (name null). */
export interface Deallocate extends StatementBase {
  readonly kind: 'deallocate';
  readonly name: string | null;
}

/** A statement whose rows a cursor or COPY hands out. */
export type RowStatement = Select | Subscribe | Show | Explain;

/**
 * DECLARE name [BINARY | INSENSITIVE | ASENSITIVE | [NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR statement.
 * The options are read and ignored: rows are text, forward only, and the cursor ends with its block.
 */
export interface DeclareCursor extends StatementBase {
  readonly kind: 'declare_cursor';
  readonly name: string;
  readonly statement: RowStatement;
}

/** FETCH [FORWARD] [count | ALL | NEXT] [FROM | IN] name [WITH (timeout = '1s')]. */
export interface Fetch extends StatementBase {
  readonly kind: 'fetch';
  readonly name: string;
  /** null for ALL. */
  readonly count: number | null;
  readonly options: Options;
}

/** CLOSE name, CLOSE ALL (name null). */
export interface CloseCursor extends StatementBase {
  readonly kind: 'close_cursor';
  readonly name: string | null;
}

/** A COPY option's value: a list of columns for FORCE_QUOTE (a, b), `'*'` for FORCE_QUOTE *. */
export type CopyOptionValue = OptionValue | readonly string[];

/**
 * COPY (statement) TO STDOUT [[WITH] (name [value], ...)] (or PostgreSQL's older CSV HEADER ... list,
 * read into the same names: format, header, delimiter, null, quote, escape, force_quote, ...). The
 * options are read, not yet honoured: COPY writes its text format. Any other COPY is refused.
 */
export interface CopyToStdout extends StatementBase {
  readonly kind: 'copy';
  readonly statement: RowStatement;
  readonly options: Readonly<Record<string, CopyOptionValue>>;
}

/** The statements of a PostgreSQL wire session: the wire server runs them, the engine refuses them. */
export type SessionStatement =
  | Transaction
  | SetParameter
  | SetTransaction
  | ResetParameter
  | ShowParameter
  | Discard
  | Deallocate
  | DeclareCursor
  | Fetch
  | CloseCursor
  | CopyToStdout;

export type Statement =
  | CreateSource
  | CreateTable
  | Insert
  | UpdateOrDelete
  | CreateView
  | CreateMaterializedView
  | CreateSink
  | Select
  | Explain
  | Show
  | Drop
  | Alter
  | Subscribe
  | Flush
  | SessionStatement;

export type StatementKind = Statement['kind'];
