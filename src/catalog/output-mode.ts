/**
 * How a continuous query's output changelog reaches its consumer (DESIGN.md §4). The plan decides
 * which modes a query allows, a sink connector which it accepts, and the catalog stores the chosen one
 * (`output_mode`): it lives here, below both, so that the plan never depends on connectors.
 * - `append`: only rows that never change;
 * - `update`: the rows that changed in a trigger, by the result's key;
 * - `complete`: the whole result every trigger (aggregating queries only);
 * - `changelog`: every +/- change with its op.
 */
export type OutputMode = 'append' | 'update' | 'complete' | 'changelog';
