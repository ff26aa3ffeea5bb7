/**
 * The accumulators of the aggregates whose value follows from a few sums that retractions subtract
 * from (count, sum, avg, var/stddev from sums of squares, bool_and/bool_or from counts of true and
 * false), and min/max over an append-only input. Each names its state columns, how a batch's rows
 * change them, how the old state and the change combine, and the output value of a state row. The
 * aggregates that keep a multiset instead are in aggregate.ts.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { AlgebraicCall } from '../../plan/logical/nodes.js';

const q = quoteIdent;

export interface Accumulator {
  /** State columns of aggregate i (`a<i>`, `n<i>`, ...). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Per column, its change over a batch's rows (weight `__op`), aliased by the column's name. */
  readonly deltas: readonly string[];
  /** Per column, the state after the batch from the state before (`o`, NULL for a new group) and the change (`d`), aliased. */
  readonly merged: readonly string[];
  /** The output value of a state row aliased `r`. */
  final(r: string): string;
}

/** Integers whose squares and their sums are kept exactly (in HUGEINT); wider ones in DOUBLE. */
const EXACT_SQUARES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER']);

/**
 * `call` is aggregate i; `when` the condition under which a row counts (non-NULL argument, FILTER);
 * `inputType` the argument's type, `outputType` the aggregate's.
 */
export function accumulator(call: AlgebraicCall, i: number, when: string, inputType: string, outputType: string): Accumulator {
  const a = `a${i}`;
  const n = `n${i}`;
  const x = call.arg === null ? 'NULL' : q(call.arg);
  // the weight of the rows that count (and meet `cond`)
  const weight = (c: string, cond = 'TRUE') => `coalesce(sum(CASE WHEN ${when} AND ${cond} THEN __op ELSE 0 END), 0)::BIGINT AS ${c}`;
  const add = (c: string) => `coalesce(o.${c}, 0) + coalesce(d.${c}, 0) AS ${c}`;
  const weighted = (type: string, value: string) => `sum(CASE WHEN ${when} THEN CAST(${value} AS ${type}) * __op END)`;
  switch (call.fn) {
    case 'count':
      return { columns: [{ name: a, type: 'BIGINT' }], deltas: [weight(a)], merged: [add(a)], final: (r) => `${r}.${a}` };
    case 'min':
    case 'max':
      return {
        columns: [{ name: a, type: outputType }],
        deltas: [`${call.fn}(${x}) FILTER (WHERE ${when}) AS ${a}`],
        merged: [`${call.fn === 'min' ? 'least' : 'greatest'}(o.${a}, d.${a}) AS ${a}`],
        final: (r) => `${r}.${a}`,
      };
    case 'sum':
    case 'avg': {
      // sum keeps its own type (DuckDB's sum is already wide); avg sums in DOUBLE
      const type = call.fn === 'sum' ? outputType : 'DOUBLE';
      return {
        columns: [{ name: a, type }, { name: n, type: 'BIGINT' }],
        deltas: [`${weighted(type, x)} AS ${a}`, weight(n)],
        merged: [add(a), add(n)],
        final: (row) => `CAST(CASE WHEN ${row}.${n} > 0 THEN ${row}.${a}${call.fn === 'avg' ? ` / ${row}.${n}` : ''} END AS ${outputType})`,
      };
    }
    case 'var_samp':
    case 'var_pop':
    case 'stddev_samp':
    case 'stddev_pop': {
      const s = `s${i}`;
      const type = EXACT_SQUARES.has(inputType.toUpperCase()) ? 'HUGEINT' : 'DOUBLE';
      const sample = call.fn === 'var_samp' || call.fn === 'stddev_samp';
      const root = call.fn.startsWith('stddev');
      return {
        columns: [{ name: a, type }, { name: s, type }, { name: n, type: 'BIGINT' }],
        deltas: [`${weighted(type, x)} AS ${a}`, `${weighted(type, `${x}::${type} * ${x}`)} AS ${s}`, weight(n)],
        merged: [add(a), add(s), add(n)],
        final: (row) => {
          // n·Σx² − (Σx)², exact for integers: a group of equal values has variance 0, not rounding noise
          const spread = `greatest(CAST(${row}.${n} * ${row}.${s} - ${row}.${a} * ${row}.${a} AS DOUBLE), 0)`;
          const variance = `${spread} / (CAST(${row}.${n} AS DOUBLE) * ${sample ? `(${row}.${n} - 1)` : `${row}.${n}`})`;
          return `CAST(CASE WHEN ${row}.${n} > ${sample ? 1 : 0} THEN ${root ? `sqrt(${variance})` : variance} END AS ${outputType})`;
        },
      };
    }
    case 'bool_and':
    case 'bool_or': {
      const t = `t${i}`;
      const f = `f${i}`;
      const [decides, otherwise] = call.fn === 'bool_and' ? [f, t] : [t, f];
      return {
        columns: [{ name: t, type: 'BIGINT' }, { name: f, type: 'BIGINT' }],
        deltas: [weight(t, x), weight(f, `NOT ${x}`)],
        merged: [add(t), add(f)],
        final: (row) => `CASE WHEN ${row}.${decides} > 0 THEN ${call.fn === 'bool_or'} WHEN ${row}.${otherwise} > 0 THEN ${call.fn === 'bool_and'} END`,
      };
    }
  }
}
