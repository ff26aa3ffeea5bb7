/** A long script parsed on the worker thread gives exactly what the in-line parse gives. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { parseScript, parseScriptAsync } from '../../src/sql/parser.js';
import { EddyError } from '../../src/util/errors.js';
import { OFF_THREAD_MIN_CHARS } from '../../src/util/off-thread.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function sqlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    return e.isDirectory() ? sqlFiles(file) : e.name.endsWith('.sql') ? [file] : [];
  });
}

t.test('every example script, made long with a trailing comment, parses the same off the thread', async (t) => {
  const pad = `\n-- ${'x'.repeat(OFF_THREAD_MIN_CHARS)}\n`;
  for (const file of sqlFiles(path.join(ROOT, 'sql-examples'))) {
    const text = fs.readFileSync(file, 'utf8') + pad;
    t.same(await parseScriptAsync(text), parseScript(text), path.relative(ROOT, file));
  }
});

t.test('a long multi-row INSERT and a long IN list parse the same off the thread', async (t) => {
  const rows = Array.from({ length: 2000 }, (_, i) => `(${i}, 'n''${i}', ${i / 2})`).join(', ');
  const list = Array.from({ length: 4000 }, (_, i) => i).join(', ');
  for (const text of [`INSERT INTO t VALUES ${rows}`, `SELECT * FROM t WHERE a IN (${list}) ORDER BY a`, `CREATE MATERIALIZED VIEW m AS SELECT a FROM s WHERE a IN (${list})`]) {
    t.ok(text.length >= OFF_THREAD_MIN_CHARS);
    t.same(await parseScriptAsync(text), parseScript(text), text.slice(0, 30));
  }
});

t.test('errors off the thread keep their code and position', async (t) => {
  const text = `SELECT 1;\nCREATE MATERIALIZED VIEW m AS SELEC a FROM s;\n-- ${'x'.repeat(OFF_THREAD_MIN_CHARS)}`;
  let inline: unknown;
  try {
    parseScript(text);
  } catch (e) {
    inline = e;
  }
  const off = await parseScriptAsync(text).catch((e: unknown) => e);
  const fields = (e: unknown) => {
    const { code, sqlstate, message, position, hint } = e as EddyError;
    return { code, sqlstate, message, position, hint };
  };
  t.ok(off instanceof EddyError);
  t.same(fields(off), fields(inline));
  t.match(off, { sqlstate: '42601', position: { line: 2 } });
});
