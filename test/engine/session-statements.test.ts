/** The wire session's own statements are parsed everywhere but run only by a wire session. */
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

t.test('the engine refuses session statements with a hint, at their position', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await t.rejects(engine.execute('SELECT 1;\nBEGIN'), { code: 'SYNTAX_ERROR', message: /^BEGIN is a statement of a PostgreSQL session/, position: { line: 2, column: 1 }, hint: /leave out BEGIN/ });
  await t.rejects(engine.execute("SET application_name = 'x'"), { code: 'SYNTAX_ERROR', message: /^SET is a statement of a PostgreSQL session/ });
  await t.rejects(engine.execute('COPY (SELECT 1) TO STDOUT'), { code: 'SYNTAX_ERROR', hint: /SUBSCRIBE over HTTP/ });
  t.same((await engine.execute('SHOW SOURCES'))[0]!.rows, [], "Eddy's own SHOW still runs");
});
