import t from 'tap';
import { formatCsv, formatJsonLines, formatResult, formatTable } from '../../src/cli/format.js';

const result = {
  tag: 'SELECT 2',
  columns: [
    { name: 'auction', type: 'BIGINT' },
    { name: 'channel', type: 'VARCHAR' },
  ],
  rows: [
    [1000, 'Google'],
    [12, null],
  ],
};

t.test('table output looks like psql', async (t) => {
  t.equal(
    formatTable(result),
    [' auction | channel', '---------+---------', '    1000 | Google', '      12 |', '(2 rows)', '', ''].join('\n'),
  );
  t.match(formatTable({ ...result, rows: [[1, 'a']] }), /\(1 row\)/);
  t.match(formatTable({ ...result, rows: [] }), /\(0 rows\)/);
});

t.test('json output is one object per line', async (t) => {
  t.equal(formatJsonLines(result), '{"auction":1000,"channel":"Google"}\n{"auction":12,"channel":null}\n');
  t.equal(formatJsonLines({ ...result, rows: [[2n ** 70n, 'x']] }), '{"auction":"1180591620717411303424","channel":"x"}\n');
});

t.test('csv output has a header and quotes when needed', async (t) => {
  t.equal(formatCsv({ ...result, rows: [[1, 'a,b'], [2, 'say "hi"']] }), 'auction,channel\n1,"a,b"\n2,"say ""hi"""\n');
});

t.test('statements without columns print nothing', async (t) => {
  t.equal(formatResult({ tag: 'CREATE TABLE', columns: [], rows: [] }, 'table'), '');
});
