/**
 * Runs the SQL cases in test/sql/cases/*.sql: each `-- case: title` is followed by SQL and either
 * `-- expect: <json>` lines (matched with t.match against parseScript's result; a string that looks
 * like /.../ is a regular expression) or a `-- fail: <text>` line (the syntax error's message must
 * contain it).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScript } from '../../src/sql/parser.js';

interface SqlCase {
  readonly title: string;
  readonly sql: string;
  readonly expect: string | null;
  readonly fail: string | null;
}

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases');

function readCases(text: string): SqlCase[] {
  const cases: SqlCase[] = [];
  let current: { title: string; sql: string[]; expect: string[]; fail: string | null } | null = null;
  const finish = () => {
    if (current === null) return;
    cases.push({
      title: current.title,
      sql: current.sql.join('\n').trim(),
      expect: current.expect.length > 0 ? current.expect.join('\n') : null,
      fail: current.fail,
    });
  };
  for (const line of text.split('\n')) {
    const directive = /^-- (case|expect|fail):\s?(.*)$/.exec(line);
    if (directive?.[1] === 'case') {
      finish();
      current = { title: directive[2] ?? '', sql: [], expect: [], fail: null };
    } else if (current === null) {
      continue;
    } else if (directive?.[1] === 'expect') {
      current.expect.push(directive[2] ?? '');
    } else if (directive?.[1] === 'fail') {
      current.fail = directive[2] ?? '';
    } else if (current.expect.length === 0 && current.fail === null) {
      current.sql.push(line);
    }
  }
  finish();
  return cases;
}

/** JSON strings written as "/regex/" become regular expressions, so expectations can match text loosely. */
function withPatterns(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 1 && value.startsWith('/') && value.endsWith('/')) {
    return new RegExp(value.slice(1, -1), 's');
  }
  if (Array.isArray(value)) return value.map(withPatterns);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPatterns(v)]));
  }
  return value;
}

for (const file of readdirSync(casesDir).filter((f) => f.endsWith('.sql')).sort()) {
  t.test(file, async (t) => {
    const cases = readCases(readFileSync(join(casesDir, file), 'utf8'));
    t.ok(cases.length > 0, 'the file holds cases');
    for (const c of cases) {
      t.test(c.title, async (t) => {
        if (c.fail !== null) {
          const fail = c.fail;
          t.throws(() => parseScript(c.sql), { code: 'SYNTAX_ERROR', message: new RegExp(escapeRegExp(fail)) });
          return;
        }
        if (c.expect === null) throw new Error(`case "${c.title}" has neither -- expect: nor -- fail:`);
        t.match(parseScript(c.sql), withPatterns(JSON.parse(c.expect)));
      });
    }
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
