/**
 * Join of two streams. Both inputs are kept in state as weighted rows; a batch emits
 * ΔL⋈R + L⋈ΔR + ΔL⋈ΔR (R and L as before the batch), weights multiplied, then adds the deltas to
 * the state. A retraction is stored as a row of negative weight: its matches cancel those of the
 * row it retracts wherever weights are summed (the output's consolidation, an aggregate). So that
 * cancelled pairs do not accumulate, a retracting input's state is consolidated every
 * COMPACT_EVERY batches.
 *
 * With a time bound (right - left within [lower, upper]) and a watermark, a left row can meet only
 * right rows with time >= watermark, so it is evicted once its time is below watermark - upper;
 * a right row once its time is below watermark + lower. Outer joins remember whether a stored row
 * ever matched, and emit it padded with NULLs when it is evicted unmatched.
 *
 * An outer join without eviction (no time bound, or inputs that retract) keeps a preserved row
 * padded while it has no partner: each batch re-decides the padding of the rows it touched (those
 * in the delta and those a delta row on the other side matches) from their weight and their
 * partners' weight before and after the batch, and emits the difference (paddingDelta).
 */
import { quoteIdent } from '../../duck/quote.js';
import type { StreamJoinOp } from '../../plan/incremental/nodes.js';
import type { Field } from '../../plan/logical/field.js';
import { columnDefs, columnsMatch, deltaTable, evictsBelowSince, fieldList, fieldType, insertedRows, timeBelow, watermarkSql, type OperatorRule, type RuleNames } from './rule.js';

/**
 * How often a retracting input's state is consolidated. Consolidating the rows a batch retracts
 * took four statements per batch and side (about 5 ms of a small Nexmark q5 batch); one pass over
 * the state every few batches costs less, and the state holds at most this many batches' pairs.
 */
export const COMPACT_EVERY = 8;

/** An inner join evicts rows past their bound on an event time once the bound passed a multiple of this. */
export const EVICTION_STEP_MICROS = 1_000_000;

const nulls = (fields: readonly Field[]): string => fields.map((f) => `CAST(NULL AS ${f.type}) AS ${quoteIdent(f.name)}`).join(', ');

/**
 * With a time bound, a row is done once a watermark `wm` (SQL) puts it past its bound: a future right
 * row has time >= watermark - right slack and matches a left row only if right - left <= upper, so
 * a left row below watermark - right slack - upper is done (and symmetrically for right rows). Null
 * when the side's rows are never done (no bound on that side).
 */
function goneAt(node: StreamJoinOp, side: 'left' | 'right', wm: string): string | null {
  const bound = node.timeBound;
  if (side === 'left') {
    return bound?.upperMicros == null ? null : timeBelow(quoteIdent(bound.leftField), fieldType(node.left.fields, bound.leftField), `${wm} - ${bound.upperMicros + node.slackMicros.right}`);
  }
  return bound?.lowerMicros == null ? null : timeBelow(quoteIdent(bound.rightField), fieldType(node.right.fields, bound.rightField), `${wm} + ${bound.lowerMicros - node.slackMicros.left}`);
}

function isOuter(node: StreamJoinOp): boolean {
  return node.joinType === 'left' || node.joinType === 'right' || node.joinType === 'full';
}

/**
 * The filter of the batch's rows an inner join stores on one side: not those the next batch's
 * watermark puts past their bound. Their matches with this batch and the state are emitted by the
 * step, and every later row lies at or above that watermark (a 100k-row Nexmark batch spans 10 s of
 * event time, the watermark trails by 4 s: most of q4's and q6's bids). Outer joins store them, to
 * pad them.
 */
function storedRows(node: StreamJoinOp, side: 'left' | 'right', names: RuleNames): string {
  const next = names.watermark.next;
  const done = isOuter(node) || next === undefined || next === null ? null : goneAt(node, side, watermarkSql(next));
  return done === null ? '' : ` WHERE coalesce(NOT (${done}), TRUE)`;
}

export const streamJoinRule: OperatorRule<StreamJoinOp> = {
  createState(node, names) {
    const extra = [{ name: '__w', type: 'BIGINT' }, { name: '__matched', type: 'BOOLEAN' }];
    return [
      `CREATE TABLE IF NOT EXISTS ${names.state(node.leftTable)} (${columnDefs([...node.left.fields, ...extra])})`,
      `CREATE TABLE IF NOT EXISTS ${names.state(node.rightTable)} (${columnDefs([...node.right.fields, ...extra])})`,
    ];
  },

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const [dl, dr] = names.inputs as [string, string];
    const left = names.state(node.leftTable);
    const right = names.state(node.rightTable);
    const on = node.condition ?? 'TRUE';
    const lf = node.left.fields;
    const rf = node.right.fields;
    const cols = `${fieldList(lf, 'l')}, ${fieldList(rf, 'r')}`;
    const outer = isOuter(node);
    const sql = [
      deltaTable(names.output, node.fields),
      `INSERT INTO ${names.output} ` +
        `SELECT ${cols}, l.__op * r.__w FROM ${dl} AS l JOIN ${right} AS r ON ${on} UNION ALL ` +
        `SELECT ${cols}, l.__w * r.__op FROM ${left} AS l JOIN ${dr} AS r ON ${on} UNION ALL ` +
        `SELECT ${cols}, l.__op * r.__op FROM ${dl} AS l JOIN ${dr} AS r ON ${on}`,
    ];
    const bound = node.timeBound;
    const slack = node.slackMicros;
    if (outer && !bound) {
      // before the state takes the deltas: the padding reads both sides as they were
      if (node.joinType !== 'right') sql.push(...paddingDelta(node, names, 'left'));
      if (node.joinType !== 'left') sql.push(...paddingDelta(node, names, 'right'));
    }
    if (outer && bound) {
      // Which stored rows have met a partner (a correlated EXISTS: the two sides' names are disjoint).
      sql.push(
        `UPDATE ${left} AS l SET __matched = TRUE WHERE NOT __matched AND EXISTS (SELECT 1 FROM ${dr} AS r WHERE ${on})`,
        `UPDATE ${right} AS r SET __matched = TRUE WHERE NOT __matched AND EXISTS (SELECT 1 FROM ${dl} AS l WHERE ${on})`,
        `INSERT INTO ${left} SELECT ${fieldList(lf, 'l')}, l.__op, ` +
          `EXISTS (SELECT 1 FROM ${right} AS r WHERE ${on}) OR EXISTS (SELECT 1 FROM ${dr} AS r WHERE ${on}) FROM ${dl} AS l`,
        `INSERT INTO ${right} SELECT ${fieldList(rf, 'r')}, r.__op, EXISTS (SELECT 1 FROM ${left} AS l WHERE ${on}) FROM ${dr} AS r`,
      );
    } else {
      sql.push(
        `INSERT INTO ${left} SELECT ${fieldList(lf)}, __op, FALSE FROM ${dl}${storedRows(node, 'left', names)}`,
        `INSERT INTO ${right} SELECT ${fieldList(rf)}, __op, FALSE FROM ${dr}${storedRows(node, 'right', names)}`,
      );
    }
    if (bound) {
      const wm = watermarkSql(names.watermark.current);
      const leftGone = goneAt(node, 'left', wm);
      const rightGone = goneAt(node, 'right', wm);
      const padLeft = node.joinType === 'left' || node.joinType === 'full';
      const padRight = node.joinType === 'right' || node.joinType === 'full';
      if (leftGone && padLeft) {
        sql.push(`INSERT INTO ${names.output} SELECT ${fieldList(lf)}, ${nulls(rf)}, __w FROM ${left} WHERE NOT __matched AND ${leftGone}`);
      }
      if (rightGone && padRight) {
        sql.push(`INSERT INTO ${names.output} SELECT ${nulls(lf)}, ${fieldList(rf)}, __w FROM ${right} WHERE NOT __matched AND ${rightGone}`);
      }
      // Rows past their bound can meet no future row, so an inner join may keep them a while (the
      // DELETE costs about 1 ms of a small batch): it evicts when the bound passed a value that a
      // window-bound field can hold (a multiple of the slide), or for an event time a multiple of
      // EVICTION_STEP_MICROS. An outer join pads the rows it evicts: it evicts every batch.
      const evictionGrid = (grid: number | null): number => grid ?? EVICTION_STEP_MICROS;
      if (leftGone && (outer || evictsBelowSince(names.watermark, evictionGrid(node.gridMicros.left), bound.upperMicros! + slack.right))) {
        sql.push(`DELETE FROM ${left} WHERE ${leftGone}`);
      }
      if (rightGone && (outer || evictsBelowSince(names.watermark, evictionGrid(node.gridMicros.right), slack.left - bound.lowerMicros!))) {
        sql.push(`DELETE FROM ${right} WHERE ${rightGone}`);
      }
    }
    if (names.batchId % COMPACT_EVERY === COMPACT_EVERY - 1) {
      for (const [table, input] of [[left, node.left], [right, node.right]] as const) {
        if (input.changelog !== 'retracting') continue;
        const compact = names.scratch(`compact_${table === left ? 'l' : 'r'}`);
        sql.push(
          `CREATE OR REPLACE TEMP TABLE ${compact} AS SELECT ${fieldList(input.fields)}, sum(__w)::BIGINT AS __w, bool_or(__matched) AS __matched ` +
            `FROM ${table} GROUP BY ALL HAVING sum(__w) <> 0`,
          `DELETE FROM ${table}`,
          `INSERT INTO ${table} SELECT * FROM ${compact}`,
        );
      }
    }
    return sql;
  },

  // The rows each side stored from its input delta. Not counted: an outer join's rows marked as
  // matched in place, and the rows a consolidation writes back (what it removed is counted).
  stateWrites(node, names) {
    const [dl, dr] = names.inputs as [string, string];
    return [
      insertedRows(node.leftTable, 'count(*)', `${dl}${storedRows(node, 'left', names)}`),
      insertedRows(node.rightTable, 'count(*)', `${dr}${storedRows(node, 'right', names)}`),
    ];
  },
};

/**
 * The change of the padded rows of the `side` an outer join preserves, for the rows of that side the
 * batch touched: a row is padded, with its weight, while the weight of its partners is 0. Touched:
 * in the side's delta, or stored and matched by a row of the other side's delta. Reads the state
 * as before the batch.
 */
function paddingDelta(node: StreamJoinOp, names: RuleNames, side: 'left' | 'right'): string[] {
  const [dl, dr] = names.inputs as [string, string];
  const own = side === 'left' ? { delta: dl, state: names.state(node.leftTable), fields: node.left.fields, alias: 'l' }
    : { delta: dr, state: names.state(node.rightTable), fields: node.right.fields, alias: 'r' };
  const other = side === 'left' ? { delta: dr, state: names.state(node.rightTable), fields: node.right.fields, alias: 'r' }
    : { delta: dl, state: names.state(node.leftTable), fields: node.left.fields, alias: 'l' };
  const on = node.condition ?? 'TRUE';
  const touched = names.scratch(`touched_${side}`);
  const same = columnsMatch('x', own.alias, own.fields.map((f) => f.name));
  const weights =
    `(SELECT coalesce(sum(x.__w), 0) FROM ${own.state} AS x WHERE ${same}) AS __w0, ` +
    `(SELECT coalesce(sum(x.__op), 0) FROM ${own.delta} AS x WHERE ${same}) AS __dw, ` +
    `(SELECT coalesce(sum(${other.alias}.__w), 0) FROM ${other.state} AS ${other.alias} WHERE ${on}) AS __m0, ` +
    `(SELECT coalesce(sum(${other.alias}.__op), 0) FROM ${other.delta} AS ${other.alias} WHERE ${on}) AS __dm`;
  const padded = side === 'left' ? `${fieldList(own.fields, 'c')}, ${nulls(other.fields)}` : `${nulls(other.fields)}, ${fieldList(own.fields, 'c')}`;
  return [
    `CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT * FROM (SELECT ${fieldList(own.fields)} FROM ${own.delta} UNION ALL ` +
      `SELECT ${fieldList(own.fields, own.alias)} FROM ${own.state} AS ${own.alias} WHERE EXISTS (SELECT 1 FROM ${other.delta} AS ${other.alias} WHERE ${on}))`,
    `INSERT INTO ${names.output} SELECT ${padded}, __w FROM (SELECT *, ` +
      `(CASE WHEN __m0 + __dm = 0 THEN __w0 + __dw ELSE 0 END) - (CASE WHEN __m0 = 0 THEN __w0 ELSE 0 END) AS __w ` +
      `FROM (SELECT ${own.alias}.*, ${weights} FROM ${touched} AS ${own.alias})) AS c WHERE __w <> 0`,
  ];
}
