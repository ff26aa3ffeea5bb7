/**
 * Consistent reads of views that share an upstream (a diamond: MV1 -> MV2, MV1 -> MV3, MV2 + MV3 ->
 * MV4). Each batch of a materialized view records its frontier: for every root input it depends on
 * (a source, a table, or a view whose frontier is not known), the offset its result reflects. A
 * query reading two or more views ends its batch, in each of them, at a batch whose frontier agrees
 * with the others' on the roots they share, so its result always combines its inputs as of one
 * point of their common upstream, as RisingWave's barriers and Materialize's timestamps make it.
 * Where no such batches exist yet it waits for them (an upstream lagging behind holds its readers
 * back); where frontiers are unknown (state from before they were recorded), it does not align.
 */
import type { SourceOffset } from '../connectors/types.js';

/** Root input name -> its offset, as recorded (JSON values). */
export type Frontier = Readonly<Record<string, SourceOffset>>;

/**
 * What a batch recorded: its frontier over root inputs (what readers of this view align on), and
 * where it stood in each view it reads (the frontier of the batch of that view it read up to; null
 * when unknown), from which its next batch starts.
 */
export interface BatchFrontier {
  readonly roots: Frontier;
  readonly views: Readonly<Record<string, Frontier | null>>;
}

/** The frontier of a view input not read yet: it agrees only with inputs not read yet either. */
export const NOTHING_READ = '\u22a5';

export interface ViewInputRange {
  readonly name: string;
  /** Its committed offset (the last batch read; -1: none). */
  readonly start: number;
  /** The furthest this batch may read to. */
  readonly end: number;
  /** Known frontiers of the view's batches in [start, end]. */
  readonly frontiers: ReadonlyMap<number, Frontier>;
}

/** How many candidate batches per input the search looks at (the latest ones). */
const MAX_CANDIDATES = 512;

function key(offset: SourceOffset): string {
  return JSON.stringify(offset);
}

/**
 * The furthest ends (<= each input's `end`) at which the view inputs agree on every root they share;
 * null when there is nothing to align (fewer than two inputs, no shared root, or frontiers unknown).
 * When no agreeing batches lie past the starts, the starts: the inputs wait for each other.
 */
export function alignViewInputs(inputs: readonly ViewInputRange[]): Map<string, number> | null {
  if (inputs.length < 2) return null;
  const candidates = inputs.map((input) => {
    const list: [number, Frontier | null][] = [];
    for (let b = input.end; b >= input.start && list.length < MAX_CANDIDATES; b--) {
      if (b === -1) list.push([-1, null]);
      else {
        const frontier = input.frontiers.get(b);
        if (frontier) list.push([b, frontier]);
      }
    }
    return list;
  });
  if (candidates.some((list) => !list.some(([, f]) => f !== null))) {
    // an input with no known frontier at all (state from before frontiers were recorded)
    if (!inputs.every((i) => i.start === -1)) return null;
  }
  const rootsOf = candidates.map((list) => new Set(list.flatMap(([, f]) => (f ? Object.keys(f) : []))));
  const shared = new Set<string>();
  rootsOf.forEach((roots, i) => {
    for (const root of roots) if (rootsOf.some((other, j) => j !== i && other.has(root))) shared.add(root);
  });
  if (shared.size === 0) return null;

  const agrees = (required: Map<string, string>, frontier: Frontier | null, roots: ReadonlySet<string>): boolean => {
    for (const root of roots) {
      if (!shared.has(root)) continue;
      const value = frontier ? (root in frontier ? key(frontier[root]) : undefined) : NOTHING_READ;
      if (value === undefined) continue;
      const wanted = required.get(root);
      if (wanted !== undefined && wanted !== value) return false;
    }
    return true;
  };
  const require = (required: Map<string, string>, frontier: Frontier | null, roots: ReadonlySet<string>): void => {
    for (const root of roots) {
      if (!shared.has(root)) continue;
      if (frontier === null) required.set(root, NOTHING_READ);
      else if (root in frontier) required.set(root, key(frontier[root]));
    }
  };
  for (const [first, firstFrontier] of candidates[0]!) {
    const required = new Map<string, string>();
    require(required, firstFrontier, rootsOf[0]!);
    const picks = [first];
    let ok = true;
    for (let j = 1; j < inputs.length && ok; j++) {
      const found = candidates[j]!.find(([, f]) => agrees(required, f, rootsOf[j]!));
      if (!found) ok = false;
      else {
        picks.push(found[0]);
        require(required, found[1], rootsOf[j]!);
      }
    }
    if (ok) return new Map(inputs.map((input, i) => [input.name, picks[i]!]));
  }
  return new Map(inputs.map((input) => [input.name, input.start]));
}

/** A batch's frontier: each view input's as of the batch read to, merged; any other input is a root at its end. */
export function batchFrontier(inputs: readonly { readonly name: string; readonly end: SourceOffset; readonly upstream: Frontier | null | undefined }[]): BatchFrontier {
  const roots: Record<string, SourceOffset> = {};
  const views: Record<string, Frontier | null> = {};
  for (const input of inputs) {
    if (input.upstream !== undefined) views[input.name] = input.upstream;
    // not a view, or a view whose frontier is unknown: a root of its own
    if (!input.upstream) roots[input.name] = input.end;
    else for (const [root, offset] of Object.entries(input.upstream)) if (!(root in roots)) roots[root] = offset;
  }
  return { roots, views };
}
