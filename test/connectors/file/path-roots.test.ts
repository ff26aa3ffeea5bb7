import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { requirePathInRoots } from '../../../src/connectors/file/path-roots.js';
import { Engine } from '../../../src/engine/index.js';
import { quoteLiteral } from '../../../src/duck/index.js';

t.test('paths inside a root pass; outside, with .. or through a link, fail naming path and roots', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-roots-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'logs'), { recursive: true });
  fs.symlinkSync(os.tmpdir(), path.join(root, 'escape'));
  requirePathInRoots('source "s"', path.join(root, 'logs', '*.json'), [root]);
  requirePathInRoots('sink "s"', path.join(root, 'out', 'new', 'dir'), [root]);
  requirePathInRoots('source "s"', '/etc/passwd', undefined);
  // no roots at all (a server started without --file-root): no file may be used
  t.throws(() => requirePathInRoots('source "s"', '/etc/passwd', []), { code: 'INSUFFICIENT_PRIVILEGE', message: /file sources and sinks are disabled/ });
  // nor, with roots, one inside the data directory, even when a root holds it
  t.throws(() => requirePathInRoots('sink "s"', path.join(root, 'data', 'queries', 'x'), [root], path.join(root, 'data')), {
    code: 'INSUFFICIENT_PRIVILEGE',
    message: /is inside the data directory/,
  });
  for (const bad of ['/etc/passwd', path.join(root, '..', 'x.json'), path.join(root, '*', '..', '..', 'x'), path.join(root, 'escape', 'x.json'), `${root}-sibling/x.json`]) {
    t.throws(() => requirePathInRoots('source "s"', bad, [root]), { code: 'INVALID_PARAMETER', message: /outside the allowed file roots/ }, bad);
  }
  t.throws(() => requirePathInRoots('source "s"', '/etc/passwd', [root]), { message: new RegExp(`path "/etc/passwd" is outside the allowed file roots \\(${root}\\)`) });
});

t.test('the engine checks file sources and sinks against its roots', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-roots-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), fileRoots: [root] });
  t.teardown(() => engine.close());
  await t.rejects(engine.execute(`CREATE SOURCE s (a INT) WITH (connector = 'file', path = '/etc/*.json')`), { code: 'INVALID_PARAMETER', message: /source "s": path "\/etc\/\*\.json" is outside/ });
  await engine.execute(`CREATE SOURCE ok (a INT) WITH (connector = 'file', path = ${quoteLiteral(path.join(root, '*.json'))})`);
  await engine.execute(`CREATE SOURCE p (a INT)`);
  await t.rejects(engine.execute(`CREATE SINK out FROM p WITH (connector = 'jsonl', path = ${quoteLiteral(path.join(dir, 'out'))})`), { code: 'INVALID_PARAMETER', message: /sink "out": path .* is outside/ });
  await engine.execute(`CREATE SINK out FROM p WITH (connector = 'jsonl', path = ${quoteLiteral(path.join(root, 'out'))})`);
});

t.test('a file source cannot move files outside the roots (archive_path, dead_letter_path)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-roots-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), fileRoots: [root] });
  t.teardown(() => engine.close());
  const input = quoteLiteral(path.join(root, 'in', '*.json'));
  await t.rejects(engine.execute(`CREATE SOURCE a (x INT) WITH (connector = 'file', path = ${input}, after_read = 'archive', archive_path = '/tmp/eddy-archive-out')`), {
    code: 'INVALID_PARAMETER',
    message: /archive_path: path "\/tmp\/eddy-archive-out" is outside/,
  });
  await t.rejects(engine.execute(`CREATE SOURCE b (x INT) WITH (connector = 'file', path = ${input}, on_error = 'dead_letter', dead_letter_path = ${quoteLiteral(path.join(dir, 'data', 'x'))})`), {
    code: 'INSUFFICIENT_PRIVILEGE',
    message: /dead_letter_path: path .* is inside the data directory/,
  });
  await engine.execute(`CREATE SOURCE c (x INT) WITH (connector = 'file', path = ${input}, after_read = 'archive', archive_path = ${quoteLiteral(path.join(root, 'done'))})`);
});
