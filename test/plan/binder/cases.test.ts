/**
 * Table-driven binder tests: test/plan/binder/cases/*.sql. Each case starts with `-- case: name`,
 * then the query, then either `-- expect:` followed by the EXPLAIN LOGICAL tree (each line prefixed
 * by `-- `), or `-- error: CODE line:column` with optional `-- message: text` lines the error
 * message must contain. UPDATE_CASES=1 rewrites the expect blocks from the actual output (review the diff).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { explainLogical } from '../../../src/plan/logical/explain.js';
import { EddyError } from '../../../src/util/errors.js';
import { bind, closeFixture } from './fixture.js';

interface Case {
  readonly name: string;
  readonly sql: string;
  readonly expect: string | null;
  readonly error: { code: string; line: number; column: number } | null;
  readonly messages: string[];
  /** The case's text up to its expect block, as written. */
  readonly head: string;
}

function parseCases(text: string): Case[] {
  const cases: Case[] = [];
  for (const chunk of text.split(/^-- case: /m).slice(1)) {
    const lines = chunk.split('\n');
    const name = lines.shift()!.trim();
    const expectAt = lines.findIndex((l) => l.trim() === '-- expect:');
    const head = `-- case: ${name}\n${(expectAt < 0 ? lines : lines.slice(0, expectAt)).join('\n').trimEnd()}\n`;
    const sql: string[] = [];
    const expect: string[] = [];
    const messages: string[] = [];
    let error: Case['error'] = null;
    let mode: 'sql' | 'expect' = 'sql';
    for (const line of lines) {
      const err = /^-- error: (\w+) (\d+):(\d+)\s*$/.exec(line);
      if (err) error = { code: err[1]!, line: Number(err[2]), column: Number(err[3]) };
      else if (line.startsWith('-- message: ')) messages.push(line.slice('-- message: '.length));
      else if (line.trim() === '-- expect:') mode = 'expect';
      else if (mode === 'expect' && line.startsWith('-- ')) expect.push(line.slice(3));
      else if (mode === 'sql' && !line.startsWith('--')) sql.push(line);
    }
    const query = sql.join('\n').trim().replace(/;$/, '');
    cases.push({ name, sql: query, expect: expect.length > 0 ? expect.join('\n') : null, error, messages, head });
  }
  return cases;
}

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'cases');
t.teardown(closeFixture);

for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
  t.test(file, async (t) => {
    const updated: string[] = [];
    t.teardown(() => {
      if (process.env.UPDATE_CASES) writeFileSync(join(dir, file), updated.join('\n'));
    });
    for (const c of parseCases(readFileSync(join(dir, file), 'utf8'))) {
      await t.test(c.name, async (t) => {
        let actual: string;
        let caught: unknown = null;
        try {
          actual = explainLogical(await bind(c.sql));
        } catch (e) {
          caught = e;
          actual = e instanceof EddyError ? `${e.code} ${e.position?.line}:${e.position?.column} ${e.message}` : String(e);
        }
        updated.push(c.error ? c.head : `${c.head}-- expect:\n${actual.split('\n').map((l) => `-- ${l}`).join('\n')}\n`);
        if (c.error) {
          t.ok(caught instanceof EddyError, `expected an EddyError, got: ${actual}`);
          const e = caught as EddyError;
          t.equal(e.code, c.error.code, 'code');
          t.same([e.position?.line, e.position?.column], [c.error.line, c.error.column], 'position');
          for (const m of c.messages) t.ok(e.message.includes(m), `message contains "${m}": ${e.message}`);
        } else {
          t.equal(caught, null, 'binds without error');
          t.equal(actual, c.expect, 'EXPLAIN LOGICAL');
        }
      });
    }
  });
}
