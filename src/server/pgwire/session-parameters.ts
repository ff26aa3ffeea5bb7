/**
 * The session parameters psql and drivers set and show (client_encoding, DateStyle, ...). They change
 * nothing in how Eddy computes; they are remembered and reported back as PostgreSQL does.
 */
/** Parameters PostgreSQL reports with ParameterStatus at startup and whenever they change. */
const REPORTED = [
  'server_version', 'server_encoding', 'client_encoding', 'application_name', 'DateStyle', 'IntervalStyle', 'TimeZone',
  'integer_datetimes', 'standard_conforming_strings', 'is_superuser', 'session_authorization', 'default_transaction_read_only',
  'in_hot_standby',
];

const DEFAULTS: Record<string, string> = {
  server_version: '15.0',
  server_version_num: '150000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  application_name: '',
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  is_superuser: 'on',
  default_transaction_read_only: 'off',
  in_hot_standby: 'off',
  extra_float_digits: '1',
  search_path: '"$user", public',
  transaction_isolation: 'serializable',
  default_transaction_isolation: 'serializable',
  transaction_read_only: 'off',
  max_identifier_length: '63',
  statement_timeout: '0',
  lock_timeout: '0',
  idle_in_transaction_session_timeout: '0',
  bytea_output: 'hex',
  datestyle: 'ISO, MDY',
};

export class SessionParameters {
  private readonly values = new Map<string, string>();
  private readonly names = new Map<string, string>();

  constructor(user: string) {
    for (const [name, value] of Object.entries(DEFAULTS)) this.put(name, value);
    this.put('session_authorization', user);
  }

  /** Startup-packet parameters (options, replication and database are not session settings). */
  applyStartup(params: ReadonlyMap<string, string>): void {
    for (const [name, value] of params) if (!['user', 'database', 'options', 'replication'].includes(name)) this.put(name, value);
  }

  /** The reported parameters and their values, for ParameterStatus. */
  reported(): [string, string][] {
    return REPORTED.map((name) => [name, this.get(name) ?? '']);
  }

  isReported(name: string): boolean {
    return REPORTED.some((n) => n.toLowerCase() === name.toLowerCase());
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** The name as PostgreSQL spells it (DateStyle, TimeZone). */
  canonical(name: string): string {
    return this.names.get(name.toLowerCase()) ?? name.toLowerCase();
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  put(name: string, value: string): void {
    const key = name.toLowerCase();
    if (!this.names.has(key)) this.names.set(key, name);
    this.values.set(key, value);
  }

  /** Puts the parameter back to its default; false when it has none (a client's own parameter). */
  reset(name: string): boolean {
    const canonical = this.canonical(name);
    const value = DEFAULTS[canonical] ?? DEFAULTS[name.toLowerCase()];
    if (value !== undefined) this.put(canonical, value);
    return value !== undefined;
  }

  all(): [string, string][] {
    return [...this.values.keys()].sort().map((key) => [this.names.get(key)!, this.values.get(key)!]);
  }
}
