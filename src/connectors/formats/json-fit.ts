/**
 * Whether a JSON value fits a nested type whole. DuckDB's CAST from JSON to a struct refuses a key
 * the struct lacks but also a key the JSON leaves out, which JSON input does all the time (an
 * optional field); its TRY_CAST takes both, nulling what does not cast. So the value is made with
 * TRY_CAST and checked here against the JSON it came from, at every depth: each JSON value that is
 * not null became a value (no element or field failed its cast), objects have no key the struct
 * lacks, and numbers kept their value (exact-numbers.ts). A missing key is a NULL field.
 */
import type { TypeNode } from '../../duck/type-tree.js';
import { numberExactSql, stringLiteral } from './exact-numbers.js';

/** RFC 6901 pointer to a key, for json_extract. */
function pointer(key: string): string {
  return stringLiteral(`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
}

/** SQL: the JSON `j` (JSON or NULL) fits `v`, the value TRY_CAST made of it as type `node`. */
export function jsonFitsSql(j: string, v: string, node: TypeNode, depth = 0): string {
  return `(${j} IS NULL OR json_type(${j}) = 'NULL' OR (${v} IS NOT NULL AND ${innerFitsSql(j, v, node, depth)}))`;
}

function pairwise(jList: string, vList: string, element: TypeNode, depth: number): string {
  const p = `__j${depth}`;
  return `coalesce(list_bool_and(list_transform(list_zip(${jList}, ${vList}), ${p} -> ${jsonFitsSql(`${p}[1]`, `${p}[2]`, element, depth + 1)})), true)`;
}

function innerFitsSql(j: string, v: string, node: TypeNode, depth: number): string {
  switch (node.kind) {
    case 'scalar':
      return numberExactSql(`json_extract_string(${j}, '$')`, v, node);
    case 'list':
      return pairwise(`json_extract(${j}, '$[*]')`, v, node.element, depth);
    case 'struct': {
      const k = `__k${depth}`;
      const names = `[${node.fields.map((f) => stringLiteral(f.name)).join(', ')}]`;
      const known = `len(list_filter(json_keys(${j}), ${k} -> NOT list_contains(${names}, ${k}))) = 0`;
      const fields = node.fields.map((f) => jsonFitsSql(`json_extract(${j}, ${pointer(f.name)})`, `struct_extract(${v}, ${stringLiteral(f.name)})`, f.type, depth + 1));
      return `(${[known, ...fields].join(' AND ')})`;
    }
    case 'map': {
      const keys = numberExactSql('__mk', '__mv', node.key) === 'true'
        ? 'true'
        : `coalesce(list_bool_and(list_transform(list_zip(json_keys(${j}), map_keys(${v})), __m${depth} -> ${numberExactSql(`__m${depth}[1]`, `__m${depth}[2]`, node.key)})), true)`;
      return `(${keys} AND ${pairwise(`json_extract(${j}, '$.*')`, `map_values(${v})`, node.value, depth)})`;
    }
  }
}
