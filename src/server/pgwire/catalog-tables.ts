/**
 * The emulated pg_catalog's tables and functions (see catalog-emulation.ts). Columns are those
 * psql and drivers read, with PostgreSQL's defaults for objects Eddy does not have (indexes, rules,
 * triggers, row security, inheritance, partitions, publications).
 */
import { pgTypeOf } from './pg-types.js';

export const CATALOG_SCHEMA = 'eddy_pg';
const s = CATALOG_SCHEMA;

export const CATALOG_TABLES: readonly string[] = [
  `CREATE TABLE ${s}.pg_namespace (oid BIGINT, nspname VARCHAR, nspowner BIGINT DEFAULT 10, nspacl VARCHAR[])`,
  `INSERT INTO ${s}.pg_namespace (oid, nspname) VALUES (11, 'pg_catalog'), (2200, 'public'), (13000, 'information_schema'), (99, 'pg_toast')`,
  `CREATE TABLE ${s}.pg_class (
    oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT DEFAULT 0, reloftype BIGINT DEFAULT 0, relowner BIGINT DEFAULT 10,
    relam BIGINT DEFAULT 2, relfilenode BIGINT DEFAULT 0, reltablespace BIGINT DEFAULT 0, relpages INTEGER DEFAULT 0,
    reltuples DOUBLE DEFAULT -1, relallvisible INTEGER DEFAULT 0, reltoastrelid BIGINT DEFAULT 0, relhasindex BOOLEAN DEFAULT false,
    relisshared BOOLEAN DEFAULT false, relpersistence VARCHAR DEFAULT 'p', relkind VARCHAR, relnatts SMALLINT,
    relchecks SMALLINT DEFAULT 0, relhasrules BOOLEAN DEFAULT false, relhastriggers BOOLEAN DEFAULT false,
    relhassubclass BOOLEAN DEFAULT false, relrowsecurity BOOLEAN DEFAULT false, relforcerowsecurity BOOLEAN DEFAULT false,
    relispopulated BOOLEAN DEFAULT true, relreplident VARCHAR DEFAULT 'd', relispartition BOOLEAN DEFAULT false,
    relrewrite BIGINT DEFAULT 0, relfrozenxid BIGINT DEFAULT 0, relminmxid BIGINT DEFAULT 0, relacl VARCHAR[],
    reloptions VARCHAR[], relpartbound VARCHAR)`,
  `CREATE TABLE ${s}.pg_attribute (
    attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER DEFAULT -1, attlen SMALLINT, attnum SMALLINT,
    attndims INTEGER DEFAULT 0, attcacheoff INTEGER DEFAULT -1, atttypmod INTEGER DEFAULT -1, attbyval BOOLEAN DEFAULT false,
    attalign VARCHAR DEFAULT 'i', attstorage VARCHAR DEFAULT 'p', attcompression VARCHAR DEFAULT '', attnotnull BOOLEAN DEFAULT false,
    atthasdef BOOLEAN DEFAULT false, atthasmissing BOOLEAN DEFAULT false, attidentity VARCHAR DEFAULT '',
    attgenerated VARCHAR DEFAULT '', attisdropped BOOLEAN DEFAULT false, attislocal BOOLEAN DEFAULT true,
    attinhcount INTEGER DEFAULT 0, attcollation BIGINT DEFAULT 0, attacl VARCHAR[], attoptions VARCHAR[],
    attfdwoptions VARCHAR[], attmissingval VARCHAR, eddy_type VARCHAR)`,
  `CREATE TABLE ${s}.pg_type (
    oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT, typbyval BOOLEAN, typtype VARCHAR,
    typcategory VARCHAR, typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim VARCHAR, typrelid BIGINT, typelem BIGINT,
    typarray BIGINT, typinput VARCHAR, typoutput VARCHAR, typreceive VARCHAR, typsend VARCHAR, typnotnull BOOLEAN,
    typbasetype BIGINT, typtypmod INTEGER, typndims INTEGER, typcollation BIGINT, typdefault VARCHAR, eddy_display VARCHAR)`,
  `CREATE TABLE ${s}.eddy_objects (oid BIGINT, kind VARCHAR, sql VARCHAR, query VARCHAR)`,
  `CREATE TABLE ${s}.pg_am (oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR)`,
  `INSERT INTO ${s}.pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't')`,
  `CREATE TABLE ${s}.pg_database (oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datcollate VARCHAR, datctype VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datacl VARCHAR[])`,
  `INSERT INTO ${s}.pg_database VALUES (5, 'eddy', 10, 6, 'C', 'C', false, true, -1, NULL)`,
  `CREATE TABLE ${s}.pg_roles (oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolvaliduntil TIMESTAMP, rolbypassrls BOOLEAN, rolconfig VARCHAR[])`,
  `INSERT INTO ${s}.pg_roles VALUES (10, 'eddy', true, true, true, true, true, false, -1, NULL, true, NULL)`,
  `CREATE TABLE ${s}.pg_attrdef (oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR)`,
  `CREATE TABLE ${s}.pg_collation (oid BIGINT, collname VARCHAR, collnamespace BIGINT)`,
  `CREATE TABLE ${s}.pg_index (indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indisunique BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indisreplident BOOLEAN, indkey VARCHAR, indexprs VARCHAR, indpred VARCHAR, indnullsnotdistinct BOOLEAN)`,
  `CREATE TABLE ${s}.pg_constraint (oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT, conindid BIGINT, conparentid BIGINT, confrelid BIGINT, conkey SMALLINT[], confkey SMALLINT[], conislocal BOOLEAN)`,
  `CREATE TABLE ${s}.pg_inherits (inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN)`,
  `CREATE TABLE ${s}.pg_policy (oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR)`,
  `CREATE TABLE ${s}.pg_trigger (oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgenabled VARCHAR, tgisinternal BOOLEAN)`,
  `CREATE TABLE ${s}.pg_rewrite (oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR, is_instead BOOLEAN)`,
  `CREATE TABLE ${s}.pg_statistic_ext (oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[], stxexprs VARCHAR)`,
  `CREATE TABLE ${s}.pg_publication (oid BIGINT, pubname VARCHAR, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN)`,
  `CREATE TABLE ${s}.pg_publication_rel (oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[])`,
  `CREATE TABLE ${s}.pg_publication_namespace (oid BIGINT, pnpubid BIGINT, pnnspid BIGINT)`,
  `CREATE TABLE ${s}.pg_partitioned_table (partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT)`,
  `CREATE TABLE ${s}.pg_description (objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR)`,
  `CREATE TABLE ${s}.pg_foreign_table (ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[])`,
  `CREATE TABLE ${s}.pg_tablespace (oid BIGINT, spcname VARCHAR, spcowner BIGINT)`,
  `CREATE TABLE ${s}.pg_extension (oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable BOOLEAN, extversion VARCHAR)`,
  `CREATE TABLE ${s}.pg_proc (oid BIGINT, proname VARCHAR, pronamespace BIGINT, prokind VARCHAR, prorettype BIGINT, proargtypes VARCHAR)`,
  `CREATE TABLE ${s}.pg_settings (name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR)`,
];

/** The functions psql and drivers call: [name, parameters, body]. */
const MACROS: readonly (readonly [string, string, string])[] = [
  ['pg_get_userbyid', '(id)', `'eddy'`],
  ['pg_table_is_visible', '(id)', `true`],
  ['pg_type_is_visible', '(id)', `true`],
  ['pg_function_is_visible', '(id)', `true`],
  ['format_type', '(t, m)', `coalesce(
     CASE WHEN t = 1700 AND m >= 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' END,
     (SELECT eddy_display FROM ${s}.pg_type WHERE oid = t), '???')`],
  ['pg_get_viewdef', '(id, pretty := false)', `(SELECT query FROM ${s}.eddy_objects WHERE oid = id)`],
  ['pg_get_expr', '(e, r, pretty := false)', `NULL::VARCHAR`],
  ['pg_get_indexdef', '(i, c := 0, pretty := false)', `NULL::VARCHAR`],
  ['pg_get_constraintdef', '(c, pretty := false)', `NULL::VARCHAR`],
  ['obj_description', '(o, c := NULL)', `NULL::VARCHAR`],
  ['col_description', '(o, n)', `NULL::VARCHAR`],
  ['shobj_description', '(o, c)', `NULL::VARCHAR`],
  ['pg_encoding_to_char', '(e)', `'UTF8'`],
  ['has_table_privilege', '(a, b, c := NULL)', `true`],
  ['pg_relation_size', '(r)', `0::BIGINT`],
  ['pg_total_relation_size', '(r)', `0::BIGINT`],
  ['pg_get_partkeydef', '(r)', `NULL::VARCHAR`],
  ['pg_get_statisticsobjdef_columns', '(r)', `NULL::VARCHAR`],
  ['pg_relation_is_publishable', '(r)', `false`],
  ['array_upper', '(a, d)', `len(a)`],
  ['array_lower', '(a, d)', `CASE WHEN len(a) > 0 THEN 1 END`],
  ['pg_get_triggerdef', '(t, pretty := false)', `NULL::VARCHAR`],
  ['pg_get_ruledef', '(r, pretty := false)', `NULL::VARCHAR`],
  ['pg_tablespace_location', '(t)', `''`],
];

export const CATALOG_MACROS: readonly string[] = MACROS.map(([name, params, body]) => `CREATE MACRO ${s}.${name}${params} AS ${body}`);

/** The names of the functions the emulation defines. */
export const CATALOG_FUNCTIONS: readonly string[] = MACROS.map(([name]) => name);

/** pg_type rows for the types Eddy's columns map to. */
export const TYPE_ROWS: string = [
  [16, 'bool', 1, true, 'B'], [17, 'bytea', -1, false, 'U'], [20, 'int8', 8, true, 'N'], [21, 'int2', 2, true, 'N'],
  [23, 'int4', 4, true, 'N'], [25, 'text', -1, false, 'S'], [114, 'json', -1, false, 'U'], [700, 'float4', 4, true, 'N'],
  [701, 'float8', 8, true, 'N'], [1043, 'varchar', -1, false, 'S'], [1082, 'date', 4, true, 'D'], [1083, 'time', 8, true, 'D'],
  [1114, 'timestamp', 8, true, 'D'], [1184, 'timestamptz', 8, true, 'D'], [1186, 'interval', 16, false, 'T'],
  [1266, 'timetz', 12, false, 'D'], [1560, 'bit', -1, false, 'V'], [1700, 'numeric', -1, false, 'N'], [2950, 'uuid', 16, false, 'U'],
  [3802, 'jsonb', -1, false, 'U'], [1000, '_bool', -1, false, 'A'], [1005, '_int2', -1, false, 'A'], [1007, '_int4', -1, false, 'A'],
  [1016, '_int8', -1, false, 'A'], [1009, '_text', -1, false, 'A'], [1021, '_float4', -1, false, 'A'], [1022, '_float8', -1, false, 'A'],
  [1231, '_numeric', -1, false, 'A'], [1182, '_date', -1, false, 'A'], [1115, '_timestamp', -1, false, 'A'], [1185, '_timestamptz', -1, false, 'A'],
  [1187, '_interval', -1, false, 'A'], [2951, '_uuid', -1, false, 'A'], [199, '_json', -1, false, 'A'], [1001, '_bytea', -1, false, 'A'],
]
  .map(([oid, name, len, byval, category]) => {
    const display = displayName(oid as number, name as string);
    return `(${oid}, '${name}', 11, 10, ${len}, ${byval}, 'b', '${category}', false, true, ',', 0, 0, 0, '', '', '', '', false, 0, -1, 0, 0, NULL, '${display}')`;
  })
  .join(', ');

/** format_type's spelling: `integer`, `timestamp without time zone`, `text[]`. */
function displayName(oid: number, name: string): string {
  const known: Record<string, string> = { varchar: 'character varying', jsonb: 'jsonb', timetz: 'time with time zone', time: 'time without time zone', bool: 'boolean' };
  if (known[name]) return known[name]!;
  if (name.startsWith('_')) return `${displayName(0, name.slice(1))}[]`;
  const duck: Record<string, string> = { int2: 'SMALLINT', int4: 'INTEGER', int8: 'BIGINT', float4: 'FLOAT', float8: 'DOUBLE', timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMPTZ', text: 'VARCHAR', bytea: 'BLOB', date: 'DATE', interval: 'INTERVAL', uuid: 'UUID', json: 'JSON', numeric: 'DECIMAL', bit: 'BIT' };
  return duck[name] ? pgTypeOf(duck[name]!).name : name;
}
