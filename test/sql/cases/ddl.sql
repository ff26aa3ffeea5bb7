-- DDL and commands in their less common spellings.

-- case: source fed by INSERT, with quoted names and comments between tokens
create /* kind */ source "Clicks" ( -- columns follow
  "User Id" bigint not null primary key,
  url varchar,
  ts timestamp,
  watermark for ts as ts - interval '5 seconds'
);
-- expect: [{"kind": "create_source", "name": "Clicks", "columns": [
-- expect:   {"name": "User Id", "type": "BIGINT", "notNull": true, "primaryKey": true},
-- expect:   {"name": "url", "type": "VARCHAR"}, {"name": "ts", "type": "TIMESTAMP"}],
-- expect:   "watermark": {"column": "ts", "expr": "ts - interval '5 seconds'"}, "options": {}}]

-- case: a column named watermark is still a column
CREATE SOURCE s (watermark BIGINT, "table" VARCHAR);
-- expect: [{"columns": [{"name": "watermark"}, {"name": "table"}]}]

-- case: option keys may be dotted, quoted or strings, and values bare words
CREATE SOURCE s WITH (properties.bootstrap.server = 'k:9092', 'Scan.Startup.Mode' = earliest, "X" = 1.5e2);
-- expect: [{"options": {"properties.bootstrap.server": "k:9092", "scan.startup.mode": "earliest", "x": 150}}]

-- case: string options keep doubled quotes as one
CREATE SINK s FROM v WITH (connector = 'file', path = 'it''s/out');
-- expect: [{"options": {"connector": "file", "path": "it's/out"}}]

-- case: sink without options
CREATE SINK s FROM v;
-- expect: [{"kind": "create_sink", "input": {"kind": "from", "name": "v"}, "options": {}}]

-- case: insert with column list, default values and a CTE body
INSERT INTO clicks (user_id, url) VALUES (1, 'a'), (2, 'b');
INSERT INTO clicks DEFAULT VALUES;
INSERT INTO clicks WITH x AS (SELECT 1) SELECT * FROM x;
-- expect: [{"kind": "insert", "columns": ["user_id", "url"], "body": "VALUES (1, 'a'), (2, 'b')"},
-- expect:  {"kind": "insert", "columns": null, "body": "DEFAULT VALUES"},
-- expect:  {"kind": "insert", "body": "WITH x AS (SELECT 1) SELECT * FROM x"}]

-- case: empty statements between separators are skipped
;; SHOW SOURCES ;; ; SHOW SINKS;
-- expect: [{"kind": "show", "target": {"what": "sources"}}, {"kind": "show", "target": {"what": "sinks"}}]

-- case: FLUSH, in any case, as a statement of its own
flush; FLUSH
-- expect: [{"kind": "flush"}, {"kind": "flush"}]
