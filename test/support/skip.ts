/**
 * Reports `reason` as a skipped test point: what `t.skip(reason)` does at run time, in the form tap's
 * types accept (a skipped subtest with a callback that never runs).
 */
import type { Test } from 'tap';

export function skip(t: Pick<Test, 'skip'>, reason: string): void {
  void t.skip(reason, () => undefined);
}
