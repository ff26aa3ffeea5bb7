/**
 * The aggregate functions DuckDB has (`duckdb_functions()` where function_type = 'aggregate', less
 * the window-only ones: rank, lag, ntile, ...), and PostgreSQL's names for those it spells otherwise.
 * A call of one of these outside OVER (...) aggregates its group. Kept as a list because the binder
 * must know it without asking DuckDB; test/sql/aggregate-names.test.ts compares it with DuckDB's
 * catalog, so an upgrade that adds an aggregate fails there instead of being silently refused.
 */
export const AGGREGATE_NAMES: ReadonlySet<string> = new Set([
  'any_value', 'approx_count_distinct', 'approx_quantile', 'approx_top_k', 'arbitrary', 'arg_max', 'arg_max_null',
  'arg_max_nulls_last', 'arg_min', 'arg_min_null', 'arg_min_nulls_last', 'argmax', 'argmin', 'array_agg', 'avg',
  'bit_and', 'bit_or', 'bit_xor', 'bitstring_agg', 'bool_and', 'bool_or', 'corr', 'count', 'count_if', 'count_star',
  'countif', 'covar_pop', 'covar_samp', 'entropy', 'favg', 'first', 'fsum', 'group_concat', 'histogram',
  'histogram_exact', 'kahan_sum', 'kurtosis', 'kurtosis_pop', 'last', 'list', 'listagg', 'mad', 'max', 'max_by',
  'mean', 'median', 'min', 'min_by', 'mode', 'product', 'quantile', 'quantile_cont', 'quantile_disc', 'regr_avgx',
  'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy',
  'reservoir_quantile', 'sem', 'skewness', 'stddev', 'stddev_pop', 'stddev_samp', 'string_agg', 'sum',
  'sum_no_overflow', 'sumkahan', 'var_pop', 'var_samp', 'variance',
  // PostgreSQL's ordered-set aggregates, which DuckDB reads in their WITHIN GROUP form
  'percentile_cont', 'percentile_disc',
]);

/** DuckDB's aggregates that are window functions only (they need OVER): not aggregates of a group. */
export const WINDOW_ONLY_AGGREGATES: ReadonlySet<string> = new Set([
  'cume_dist', 'dense_rank', 'fill', 'first_value', 'lag', 'last_value', 'lead', 'nth_value', 'ntile', 'percent_rank',
  'rank', 'rank_dense', 'row_number',
]);
