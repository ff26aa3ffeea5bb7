/**
 * A column of a relation in a plan. `name` is unique within the relation and is what generated SQL
 * uses (always quoted); `userName` and `qualifier` are what the user's SQL may call it.
 * E.g. after `bid b JOIN auction a`, auction's `id` may be { name: 'id_1', userName: 'id', qualifier: 'a' }.
 */
export interface Field {
  readonly name: string;
  readonly type: string;
  readonly userName: string;
  readonly qualifier: string | null;
}

/** DuckDB's spellings of the two event-time types (a source's declared type is kept as written). */
const EVENT_TIME_SPELLINGS: Readonly<Record<string, 'TIMESTAMP' | 'TIMESTAMPTZ'>> = {
  TIMESTAMP: 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
  TIMESTAMPTZ: 'TIMESTAMPTZ',
  'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
};

/** The event-time type a column type names (TIMESTAMP or TIMESTAMPTZ, however spelled), or null. */
export function eventTimeType(type: string): 'TIMESTAMP' | 'TIMESTAMPTZ' | null {
  return EVENT_TIME_SPELLINGS[type.trim().replace(/\s+/g, ' ').toUpperCase()] ?? null;
}
