import type { CatalogReader } from '../catalog/reader.js';
import type { ResultColumn } from '../duck/index.js';

/** What binding needs: the catalog, and DuckDB's binder to type expressions (DESCRIBE of a probe query). */
export interface BindContext {
  readonly catalog: CatalogReader;
  /** Returns the columns the SQL would produce, or throws DuckDB's binder error. */
  describe(sql: string): Promise<ResultColumn[]>;
  /** Runs a constant query and returns its one value (e.g. an INTERVAL's length); optional. */
  scalar?(sql: string): Promise<unknown>;
}
