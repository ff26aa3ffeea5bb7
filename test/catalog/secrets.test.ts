import t from 'tap';
import { redactOptions, redactSql } from '../../src/catalog/secrets.js';
import { openTempEngine } from '../support/temp-engine.js';

t.test('secret option values are hidden in options and in statement text, whatever their quoting', async (t) => {
  t.same(redactOptions({ topic: 't', sasl_password: 'hunter2', api_key: 'k' }), { topic: 't', sasl_password: '********', api_key: '********' });
  const sql = "CREATE SOURCE s WITH (connector = 'kafka', sasl_password = 'it''s ; secret', \"SASL_PASSWORD\" = $$x$$, topic = 'password')";
  t.equal(redactSql(sql), "CREATE SOURCE s WITH (connector = 'kafka', sasl_password = '********', \"SASL_PASSWORD\" = '********', topic = 'password')");
  t.equal(redactSql("SELECT 'password' = 'x'"), "SELECT 'password' = 'x'", 'a string is no option key');
});

t.test('SHOW SOURCES and SHOW CREATE print no secret', async (t) => {
  const engine = await openTempEngine(t, 'secrets');
  await engine.execute(`CREATE SOURCE k (a INT) WITH (connector = 'kafka', brokers = '127.0.0.1:1', topic = 't', format = 'json',
    sasl_mechanism = 'plain', sasl_username = 'u', sasl_password = 'hunter2')`);
  const shown = JSON.stringify([...(await engine.execute('SHOW SOURCES')), ...(await engine.execute('SHOW CREATE k'))]);
  t.notMatch(shown, /hunter2/);
  t.match(shown, /sasl_password/);
});
