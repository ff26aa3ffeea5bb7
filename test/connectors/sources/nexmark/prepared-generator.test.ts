import t from 'tap';
import { generatorSelect, type GeneratorSettings } from '../../../../src/connectors/sources/nexmark/generator-sql.js';
import { PreparedGenerator } from '../../../../src/connectors/sources/nexmark/prepared-generator.js';
import { NEXMARK_COLUMNS } from '../../../../src/connectors/sources/nexmark/schema.js';
import { createTable, openTestDb } from '../../helpers.js';

const settings: GeneratorSettings = { table: 'bid', eventsPerSecond: 1000, baseTimeMs: Date.UTC(2024, 0, 1), seed: 3 };

t.test('the prepared generator inserts exactly the rows of the generator SELECT, batch after batch', async (t) => {
  const db = await openTestDb();
  t.teardown(() => db.close());
  const { conn } = db;
  const generator = new PreparedGenerator(settings);
  // small batches (ids emptied with DELETE), one past the remake threshold, a big one, small again;
  // the target is also replaced in between, as the pipeline does with its batch tables
  const ranges: [number, number][] = [[0, 300], [300, 306], [306, 9_000], [9_000, 12_000], [12_000, 40_000], [40_000, 40_200]];
  for (const [i, [from, to]] of ranges.entries()) {
    if (i === 0 || i === 1 || i === 4) await createTable(conn, 'got', NEXMARK_COLUMNS.bid);
    else await conn.run('DELETE FROM got');
    await generator.insert(conn, '"got"', from, to, i === 5 ? new Set(['auction', 'date_time']) : undefined);
    const columns = i === 5 ? new Set(['auction', 'date_time']) : undefined;
    const extra = await conn.scalar(`SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL ${generatorSelect(settings, from, to, columns)})`);
    const missing = await conn.scalar(`SELECT count(*) FROM (${generatorSelect(settings, from, to, columns)} EXCEPT ALL SELECT * FROM got)`);
    t.same([extra, missing], [0, 0], `events [${from}, ${to}): no row more, none missing`);
    t.ok(Number(await conn.scalar('SELECT count(*) FROM got')) > 0, `events [${from}, ${to}): some bids`);
  }
});
