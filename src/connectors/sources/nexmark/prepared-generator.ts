/**
 * The generator's INSERT, planned once per connection, target and column set. Its SELECT is a few
 * hundred expressions: binding and optimizing them took 3-6 ms, against well under a millisecond to
 * generate the few hundred events of a small batch. So the ids of a batch go into a table of this
 * connection and a prepared INSERT generates from it.
 */
import { quoteIdent, type Connection, type PreparedStatement } from '../../../duck/index.js';
import { generatorSelectOver, type GeneratorSettings } from './generator-sql.js';

/**
 * The ids table is emptied with DELETE for small batches, and made anew (DuckDB then plans the
 * prepared INSERT again, which a big batch does not notice) once this many ids went through it:
 * deleted rows stay in a table's memory until it is dropped.
 */
const REMAKE_AFTER_IDS = 10_000;

interface PerConnection {
  readonly statements: Map<string, PreparedStatement>;
  idsSinceMade: number | null;
}

/** Numbers the ids tables: two sources of one query may generate the same table kind. */
let generators = 0;

export class PreparedGenerator {
  private readonly connections = new WeakMap<Connection, PerConnection>();
  private readonly ids = quoteIdent(`__nexmark_ids_${++generators}`);

  constructor(private readonly settings: GeneratorSettings) {}

  /** Generates the events [from, to) of this source's table into `target`. */
  async insert(conn: Connection, target: string, from: number, to: number, columns?: ReadonlySet<string>): Promise<void> {
    let state = this.connections.get(conn);
    if (!state) {
      state = { statements: new Map(), idsSinceMade: null };
      this.connections.set(conn, state);
    }
    const range = `SELECT * FROM range(${from}, ${to})`;
    if (state.idsSinceMade === null || state.idsSinceMade + (to - from) > REMAKE_AFTER_IDS) {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${this.ids} AS ${range}`);
      state.idsSinceMade = 0;
    } else {
      await conn.run(`DELETE FROM ${this.ids}; INSERT INTO ${this.ids} ${range}`);
    }
    state.idsSinceMade += to - from;
    const key = `${target}\n${columns ? [...columns].sort().join(',') : '*'}`;
    let statement = state.statements.get(key);
    if (!statement) {
      statement = await conn.prepare(`INSERT INTO ${target} ${generatorSelectOver(this.settings, this.ids, columns)}`);
      state.statements.set(key, statement);
    }
    await statement.run();
  }
}
