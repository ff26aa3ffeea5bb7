/** An engine over a fresh temporary data directory, closed and removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Engine, type EngineOptions } from '../../src/engine/index.js';

export async function openTempEngine(t: Pick<Test, 'teardown'>, prefix: string, options: Omit<EngineOptions, 'dataDir'> = {}): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), `eddy-${prefix}-`));
  const engine = await Engine.open({ ...options, dataDir: dir });
  t.teardown(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return engine;
}
