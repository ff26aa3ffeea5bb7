import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { AGGREGATE_NAMES, WINDOW_ONLY_AGGREGATES } from '../../src/sql/aggregate-names.js';

t.test("the aggregate names are DuckDB's aggregates, every one of them", async (t) => {
  const instance = await DuckDBInstance.create(':memory:');
  t.teardown(() => instance.closeSync());
  const conn = await instance.connect();
  const result = await conn.runAndReadAll("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate' ORDER BY 1");
  const duckNames = result.getRows().map((r) => String(r[0]));
  const missing = duckNames.filter((n) => !AGGREGATE_NAMES.has(n) && !WINDOW_ONLY_AGGREGATES.has(n));
  t.same(missing, [], 'DuckDB aggregates the list does not know (add them to src/sql/aggregate-names.ts)');
  const pgOnly = new Set(['percentile_cont', 'percentile_disc']);
  t.same([...AGGREGATE_NAMES].filter((n) => !duckNames.includes(n) && !pgOnly.has(n)), [], 'names DuckDB does not have');
});
