import t from 'tap';
import { connectors, sinkConnector, sourceConnector } from '../../src/connectors/registry.js';
import { EddyError } from '../../src/util/errors.js';

t.test('finds connectors by name', async (t) => {
  t.equal(sourceConnector('nexmark').name, 'nexmark');
  t.equal(sourceConnector('FILE').name, 'file');
  t.equal(sourceConnector('push').name, 'push');
  t.equal(sinkConnector('console').name, 'console');
  t.equal(sinkConnector('blackhole').name, 'blackhole');
  t.equal(new Set(connectors.map((c) => `${c.kind}:${c.name}`)).size, connectors.length, 'names are unique per kind');
});

t.test('an unknown connector is an error listing the known ones', async (t) => {
  const known = (kind: string): string => connectors.filter((c) => c.kind === kind).map((c) => c.name).join(', ');
  t.throws(() => sourceConnector('x'), { code: 'INVALID_PARAMETER', message: `unknown source connector "x"; known: ${known('source')}` });
  t.match(known('source'), /^nexmark, file, push/);
  const e = (() => {
    try {
      sinkConnector('nexmark');
    } catch (err) {
      return err as EddyError;
    }
  })();
  t.equal(e?.message, `unknown sink connector "nexmark"; known: ${known('sink')}`);
  t.match(known('sink'), /^console, blackhole/);
  t.equal(e?.hint, '"nexmark" is a source connector');
});
