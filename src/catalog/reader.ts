import type { CatalogObject } from './types.js';

/**
 * Read access to the catalog, which is all the planner needs. Names are matched as stored: the SQL
 * front end lower-cases unquoted identifiers, as PostgreSQL does.
 */
export interface CatalogReader {
  get(name: string): CatalogObject | undefined;
  list(): readonly CatalogObject[];
}
