/**
 * TUMBLE and HOP: each row gets window_start and window_end, windows aligned to the epoch (as in
 * Flink and RisingWave); HOP repeats a row once per window it falls in. A view: stateless. Rows
 * without an event time belong to no window.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { WindowAssignOp } from '../../plan/incremental/nodes.js';
import { timeFromMicros, type OperatorRule } from './rule.js';

/** x rounded down to a multiple of m (also for negative x). */
const floorTo = (x: string, m: number): string => `(${x} - ((${x} % ${m}) + ${m}) % ${m})`;

export const windowAssignRule: OperatorRule<WindowAssignOp> = {
  createState: () => [],
  setup: (node, names) => {
    const [start, end] = node.fields.slice(-2);
    const inputCols = node.fields.slice(0, -2).map((f) => quoteIdent(f.name));
    const ts = `epoch_us(${quoteIdent(node.timeField)})`;
    const size = node.sizeMicros;
    const slide = node.slideMicros;
    const hasTime = `${quoteIdent(node.timeField)} IS NOT NULL`;
    let windows: string;
    if (slide === null) {
      windows = `SELECT *, ${floorTo(ts, size)} AS __ws FROM ${names.inputs[0]} WHERE ${hasTime}`;
    } else {
      // The windows holding ts start at the multiples of the slide in (ts - size, ts]: the k-th
      // latest of them for k below size / slide (the binder makes the size a multiple of the slide).
      // A cross join with those numbers costs half of building and unnesting a list per row.
      windows = `SELECT __in.*, ${floorTo(ts, slide)} - __hop.__k * ${slide} AS __ws FROM ${names.inputs[0]} AS __in ` +
        `CROSS JOIN range(${size / slide}) AS __hop(__k) WHERE ${hasTime}`;
    }
    const cols = [
      ...inputCols,
      `${timeFromMicros('__ws', start!.type)} AS ${quoteIdent(start!.name)}`,
      `${timeFromMicros(`__ws + ${size}`, end!.type)} AS ${quoteIdent(end!.name)}`,
      '__op',
    ];
    return [`CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${cols.join(', ')} FROM (${windows}) AS w`];
  },
  step: () => [],
  stateWrites: () => [],
};
