/**
 * What the catalog holds. Every object remembers the statement that created it (`sql`), which is what
 * the DDL log stores and replays.
 */
import type { Options, QueryText, WatermarkDef } from '../sql/ast.js';

/** A column with its DuckDB type, as DuckDB spells it (`BIGINT`, `TIMESTAMP`, `DECIMAL(10,2)`). */
export interface Column {
  readonly name: string;
  readonly type: string;
  /**
   * A source column declared NOT NULL: a row without a value there is bad input. Only ever `true`
   * when present; absent in catalogs written before it was recorded, whose columns were nullable.
   */
  readonly notNull?: true;
}

interface ObjectBase {
  readonly name: string;
  /** The CREATE statement as written. */
  readonly sql: string;
}

/** An unbounded input table. `connector` is 'push' when no connector was given (fed by INSERT). */
export interface SourceObject extends ObjectBase {
  readonly kind: 'source';
  readonly columns: readonly Column[];
  readonly watermark: WatermarkDef | null;
  readonly connector: string;
  /** The connector's options, validated (defaults filled in) by the connector at creation. */
  readonly options: Options;
  /**
   * PRIMARY KEY: the source is an upsert stream (catalog/keyed-source.ts): a row replaces the row
   * with its key, or deletes it. Absent: every row is appended.
   */
  readonly primaryKey?: readonly string[];
}

/**
 * A DuckDB table in the main database, changed by INSERT / UPDATE / DELETE. Continuous queries read
 * it as a changelog (connectors/table/changelog.ts), or as of each batch under FOR SYSTEM_TIME AS OF.
 */
export interface TableObject extends ObjectBase {
  readonly kind: 'table';
  readonly columns: readonly Column[];
  /** The PRIMARY KEY's columns, when declared (absent in catalogs written before it was recorded). */
  readonly primaryKey?: readonly string[];
  /** `APPEND ONLY`: UPDATE, DELETE and upserts are refused, and queries read it as append-only. */
  readonly appendOnly?: true;
}

/** A plain view: inlined wherever it is used. */
export interface ViewObject extends ObjectBase {
  readonly kind: 'view';
  readonly columns: readonly Column[];
  readonly query: QueryText;
}

/** A continuous query whose result is kept as a table. */
export interface MaterializedViewObject extends ObjectBase {
  readonly kind: 'materialized_view';
  readonly columns: readonly Column[];
  readonly query: QueryText;
  readonly options: Options;
}

/** A continuous query whose output goes to a connector. */
export interface SinkObject extends ObjectBase {
  readonly kind: 'sink';
  readonly columns: readonly Column[];
  /** The query: for CREATE SINK ... FROM x it is `SELECT * FROM x`. */
  readonly query: QueryText;
  readonly from: string | null;
  readonly connector: string;
  readonly options: Options;
}

export type CatalogObject = SourceObject | TableObject | ViewObject | MaterializedViewObject | SinkObject;
export type CatalogObjectKind = CatalogObject['kind'];

/**
 * What a continuous query reads as a changelog: a source's rows, a table's changes, or the output
 * changes of a materialized view (one whose output retracts; exec/view-changelog.ts).
 */
export type InputObject = SourceObject | TableObject | MaterializedViewObject;

/** Objects that run as a StreamingQuery. */
export type QueryObject = MaterializedViewObject | SinkObject;
