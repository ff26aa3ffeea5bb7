import t from 'tap';
import { numericKind, parseType, typeText } from '../../src/duck/type-tree.js';

t.test('type names parse into trees and print back as DuckDB reads them', async (t) => {
  t.same(parseType('BIGINT'), { kind: 'scalar', text: 'BIGINT' });
  t.same(parseType('decimal(10, 2)'), { kind: 'scalar', text: 'DECIMAL(10, 2)' });
  t.same(parseType('TIMESTAMP WITH TIME ZONE[]'), { kind: 'list', element: { kind: 'scalar', text: 'TIMESTAMP WITH TIME ZONE' }, size: null });
  t.same(parseType('INTEGER[3]'), { kind: 'list', element: { kind: 'scalar', text: 'INTEGER' }, size: 3 });
  t.same(parseType('MAP(VARCHAR, STRUCT(a BIGINT)[])'), {
    kind: 'map',
    key: { kind: 'scalar', text: 'VARCHAR' },
    value: { kind: 'list', element: { kind: 'struct', fields: [{ name: 'a', type: { kind: 'scalar', text: 'BIGINT' } }] }, size: null },
  });
  const struct = parseType('STRUCT("a b" DOUBLE PRECISION, "q""x" ENUM(\'p\', \'q\'), c LIST(INT))');
  t.same(struct, {
    kind: 'struct',
    fields: [
      { name: 'a b', type: { kind: 'scalar', text: 'DOUBLE PRECISION' } },
      { name: 'q"x', type: { kind: 'scalar', text: "ENUM('p', 'q')" } },
      { name: 'c', type: { kind: 'list', element: { kind: 'scalar', text: 'INT' }, size: null } },
    ],
  });
  t.equal(typeText(struct!), `STRUCT("a b" DOUBLE PRECISION, "q""x" ENUM('p', 'q'), "c" INT[])`);
  for (const bad of ['', 'STRUCT(a', 'INT[', 'MAP(INT)', "ENUM('x)", 'INT;DROP']) t.equal(parseType(bad), null, bad);
});

t.test('integer and float types, by any of their names', async (t) => {
  for (const name of ['INT', 'INT8', 'BIGINT', 'HUGEINT', 'UTINYINT', 'LONG']) t.equal(numericKind(parseType(name)!), 'integer', name);
  for (const name of ['FLOAT', 'REAL', 'DOUBLE', 'FLOAT8', 'DOUBLE PRECISION']) t.equal(numericKind(parseType(name)!), 'float', name);
  for (const name of ['DECIMAL(10,2)', 'VARCHAR', 'BIGINT[]', 'TIMESTAMP']) t.equal(numericKind(parseType(name)!), null, name);
});
