/**
 * A query's view inputs in epochs (epochs.ts): the ends its batch may read them to, aligned on the
 * roots they share, and the frontier its batch records.
 */
import type { SourceOffset } from '../connectors/types.js';
import { alignViewInputs, batchFrontier, type BatchFrontier, type Frontier, type ViewInputRange } from './epochs.js';
import type { OpenSource } from './source-batches.js';
import { ViewChangelogReader } from './view-changelog.js';

interface Inputs {
  readonly sources: readonly OpenSource[];
  /** The frontier the query's last batch recorded (null: none, or from before frontiers). */
  readonly last: BatchFrontier | null;
}

function viewReader(s: OpenSource): ViewChangelogReader | null {
  return s.reader instanceof ViewChangelogReader ? s.reader : null;
}

/** Whether the input is a materialized view read as its changelog. */
export function isViewInput(s: OpenSource): boolean {
  return viewReader(s) !== null;
}

/**
 * `tentative` (each input's furthest end) with the view inputs' ends moved back to where they agree;
 * unchanged when the query reads fewer than two views or they share no root.
 */
export async function alignedEnds(inputs: Inputs, tentative: ReadonlyMap<string, SourceOffset>): Promise<ReadonlyMap<string, SourceOffset>> {
  const views = inputs.sources.filter((s) => viewReader(s) !== null);
  if (views.length < 2) return tentative;
  const ranges: ViewInputRange[] = [];
  for (const s of views) {
    const start = Number(s.offset);
    const end = Number(tentative.get(s.name));
    const frontiers = await viewReader(s)!.frontiers(start + 1, end);
    // where it stands now: what the last batch recorded of it
    const standing = inputs.last?.views[s.name];
    if (start >= 0 && standing) frontiers.set(start, standing);
    ranges.push({ name: s.name, start, end, frontiers });
  }
  const aligned = alignViewInputs(ranges);
  if (!aligned) return tentative;
  const ends = new Map(tentative);
  for (const [name, end] of aligned) ends.set(name, end);
  return ends;
}

/** The frontier of a batch that reads each input up to `ends`. */
export async function frontierOf(sources: readonly OpenSource[], ends: ReadonlyMap<string, SourceOffset>): Promise<BatchFrontier> {
  const inputs: { name: string; end: SourceOffset; upstream: Frontier | null | undefined }[] = [];
  for (const s of sources) {
    const end = ends.get(s.name);
    const reader = viewReader(s);
    inputs.push({ name: s.name, end, upstream: reader ? (Number(end) < 0 ? null : await reader.frontierAt(Number(end))) : undefined });
  }
  return batchFrontier(inputs);
}
