/** psycopg2 (Debian's python3) and pgjdbc (Debian's jar) connect and query through the wire server. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { startServer } from '../server/pgwire/helpers.js';
import { skip } from '../support/skip.js';

const PYTHON = '/usr/bin/python3';
const JAR = '/usr/share/java/postgresql.jar';
const SETUP = `
CREATE TABLE owners (id INTEGER, name VARCHAR, amount DECIMAL(10,2), seen TIMESTAMP);
INSERT INTO owners VALUES (1, 'ann', 2.50, TIMESTAMP '2024-01-02 03:04:05'), (2, 'bob', NULL, NULL);
`;

function run(cmd: string, args: string[]): Promise<{ out: string; err: string; ok: boolean }> {
  return new Promise((resolve) => execFile(cmd, args, { timeout: 60_000 }, (error, out, err) => resolve({ out, err, ok: !error })));
}

t.test('psycopg2', async (t) => {
  const probe = await run(PYTHON, ['-c', 'import psycopg2']);
  if (!probe.ok) return skip(t, `psycopg2 is not available for ${PYTHON} (apt-get install python3-psycopg2)`);
  const { port } = await startServer(t, SETUP);
  const script = `
import psycopg2
conn = psycopg2.connect(host='127.0.0.1', port=${port}, user='py', dbname='eddy')
cur = conn.cursor()
cur.execute("SELECT id, name, amount, seen FROM owners WHERE name = %s OR id = %s ORDER BY id", ("ann", 2))
for row in cur.fetchall(): print(repr(row))
conn.commit()
try:
    cur.execute("SELECT * FROM nowhere")
except psycopg2.Error as e:
    print("error", e.pgcode)
conn.rollback()
conn.autocommit = True
cur.execute("INSERT INTO owners VALUES (%s, %s, %s, %s)", (3, "it's", 1.25, None))
print("rowcount", cur.rowcount)
conn.close()
`;
  const { out, err, ok } = await run(PYTHON, ['-c', script]);
  t.ok(ok, err);
  t.match(out, /\(1, 'ann', Decimal\('2\.50'\), datetime\.datetime\(2024, 1, 2, 3, 4, 5\)\)/);
  t.match(out, /\(2, 'bob', None, None\)/);
  t.match(out, /error 42P01/);
  t.match(out, /rowcount 1/);
});

t.test('pgjdbc', async (t) => {
  if (!fs.existsSync(JAR)) return skip(t, `${JAR} is missing (apt-get install libpostgresql-jdbc-java)`);
  const java = await run('java', ['-version']);
  if (!java.ok) return skip(t, 'java is not installed (apt-get install default-jdk-headless)');
  const { port } = await startServer(t, SETUP);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-jdbc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const source = path.join(dir, 'Client.java');
  fs.writeFileSync(
    source,
    `import java.sql.*;
public class Client {
  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:${port}/eddy?user=java&sslmode=disable")) {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, name, amount, seen FROM owners WHERE id >= ? ORDER BY id")) {
        ps.setInt(1, 1);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) System.out.println(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3) + "|" + rs.getTimestamp(4));
        }
      }
      try (Statement st = c.createStatement()) {
        System.out.println("updated " + st.executeUpdate("INSERT INTO owners VALUES (3, 'cy', 1.00, NULL)"));
        try { st.executeQuery("SELECT * FROM nowhere"); } catch (SQLException e) { System.out.println("error " + e.getSQLState()); }
      }
    }
  }
}
`,
  );
  const { out, err, ok } = await run('java', ['-cp', JAR, source]);
  t.ok(ok, err);
  t.match(out, /1\|ann\|2\.50\|2024-01-02 03:04:05\.0/);
  t.match(out, /2\|bob\|null\|null/);
  t.match(out, /updated 1/);
  t.match(out, /error 42P01/);
});
