/**
 * A child process for crash tests, run from the built engine (npm run build) because starting the
 * TypeScript sources through a loader takes many seconds per process:
 * `node test/support/checkpoint-child.mjs DATA_DIR SCRIPT.sql`. Opens the engine on DATA_DIR
 * (resuming what it holds), runs the script with a drain before each SELECT, then drains and prints
 * each SELECT's rows as one `result <json>` line. Console sinks print their `batch N ...` lines to
 * the same stdout. EDDY_FAULT in the environment kills it at a protocol step (src/util/fault.ts).
 */
import { readFileSync } from 'node:fs';
import { Engine } from '../../dist/src/engine/index.js';

const [dataDir, scriptFile] = process.argv.slice(2);
if (!dataDir || !scriptFile) {
  process.stderr.write('usage: checkpoint-child.mjs DATA_DIR SCRIPT.sql\n');
  process.exit(2);
}
const bigints = (_key, value) => (typeof value === 'bigint' ? value.toString() : value);
const engine = await Engine.open({ dataDir });
try {
  for (const warning of engine.warnings) process.stderr.write(`WARNING: ${warning}\n`);
  for (const statement of engine.parse(readFileSync(scriptFile, 'utf8'))) {
    if (statement.kind === 'select') await engine.drain();
    const result = await engine.executeStatement(statement);
    if (statement.kind === 'select') {
      const rows = result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]])));
      process.stdout.write(`result ${JSON.stringify(rows, bigints)}\n`);
    }
  }
  await engine.drain();
} finally {
  await engine.close();
}
