/**
 * A child process for crash.test.ts: what `eddy run JOB.sql --data-dir D` does, printing `open` once
 * the engine is open so that the parent can kill it while batches run rather than while it starts.
 */
import { readFileSync } from 'node:fs';
import { Engine } from '../../../src/engine/index.js';

const [file, dataDir] = process.argv.slice(2);
const engine = await Engine.open({ dataDir: dataDir! });
process.stdout.write('open\n');
await engine.execute(readFileSync(file!, 'utf8'));
await engine.drain();
await engine.close();
process.stdout.write('done\n');
