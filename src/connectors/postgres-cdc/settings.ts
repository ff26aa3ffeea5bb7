/**
 * CREATE SOURCE users (id INT PRIMARY KEY, name VARCHAR) WITH (connector = 'postgres-cdc',
 *   hostname = 'localhost', port = 5432, username = 'eddy', password = '...',
 *   database.name = 'shop', schema.name = 'public', table.name = 'users');
 *
 * RisingWave's option names. buffer.max_changes (default 100000) bounds the changes held in memory:
 * reading pauses there, and a batch may then end inside a transaction larger than that. publication.name (default `eddy_<source>`) is created FOR TABLE when it
 * does not exist, and dropped with the source if Eddy created it. on_error and casts are as for other
 * sources.
 */
import { createHash } from 'node:crypto';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { CASTS_VALUES, type Casts } from '../formats/casts.js';
import { opt, readOptions, toOptions } from '../options.js';

export const NAME = 'postgres-cdc';

const optionShape = {
  hostname: opt.string(),
  port: opt.int(1).default(5432),
  username: opt.string(),
  password: opt.string().optional(),
  'database.name': opt.string(),
  'schema.name': opt.string().default('public'),
  'table.name': opt.string(),
  'publication.name': opt.string().optional(),
  'publication.created': opt.bool().optional(),
  'buffer.max_changes': opt.int(1).default(100_000),
  on_error: opt.oneOf(['skip', 'fail']).default('skip'),
  casts: opt.oneOf(CASTS_VALUES).default('strict'),
};

export interface CdcSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly publication: string;
  /** Eddy created the publication (at CREATE SOURCE), so DROP SOURCE drops it. */
  readonly publicationCreated: boolean;
  /** Changes held in memory before reading from the server pauses (a batch then takes what is held). */
  readonly bufferChanges: number;
  readonly onError: 'skip' | 'fail';
  readonly casts: Casts;
}

function identifierSafe(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export function cdcSettings(source: string, options: Options): CdcSettings {
  const o = readOptions({ objectKind: 'source', objectName: source, connector: NAME }, optionShape, options);
  if (o.port > 65535) throw new EddyError('INVALID_PARAMETER', `source "${source}": option "port" must be at most 65535 (connector "${NAME}")`);
  return {
    host: o.hostname,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o['database.name'],
    schema: o['schema.name'],
    table: o['table.name'],
    publication: o['publication.name'] ?? `eddy_${identifierSafe(source)}`.slice(0, 63),
    publicationCreated: o['publication.created'] ?? false,
    bufferChanges: o['buffer.max_changes'],
    onError: o.on_error,
    casts: o.casts,
  };
}

export function settingsOptions(s: CdcSettings): Options {
  return toOptions({
    hostname: s.host,
    port: s.port,
    username: s.user,
    password: s.password,
    'database.name': s.database,
    'schema.name': s.schema,
    'table.name': s.table,
    'publication.name': s.publication,
    'publication.created': s.publicationCreated ? true : undefined,
    'buffer.max_changes': s.bufferChanges === 100_000 ? undefined : s.bufferChanges,
    on_error: s.onError,
    casts: s.casts === 'lenient' ? 'lenient' : undefined,
  });
}

/** The table as PostgreSQL names it in messages: `"public"."users"`. */
export function qualifiedTable(s: Pick<CdcSettings, 'schema' | 'table'>): string {
  return `${pgIdent(s.schema)}.${pgIdent(s.table)}`;
}

export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Each reading query has its own replication slot (a slot streams to one reader at a time, and each
 * query commits its own offsets): named after the source, with a digest of the query's stable id.
 */
export function slotName(source: string, queryId: string): string {
  const digest = createHash('sha256').update(`${source}\0${queryId}`).digest('hex').slice(0, 10);
  return `eddy_${identifierSafe(source).slice(0, 40)}_${digest}`;
}
