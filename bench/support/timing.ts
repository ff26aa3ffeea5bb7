/** Timing helpers the engine benchmarks share. */
import type { Engine } from '../../src/engine/index.js';

/** A function that runs SQL on `engine` and returns how long it took, in milliseconds. */
export function statementTimer(engine: Engine): (sql: string) => Promise<number> {
  return async (sql) => {
    const t0 = performance.now();
    await engine.execute(sql);
    return performance.now() - t0;
  };
}

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

export function ms(x: number, digits = 1): string {
  return `${x.toFixed(digits)} ms`;
}
