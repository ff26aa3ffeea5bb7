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
