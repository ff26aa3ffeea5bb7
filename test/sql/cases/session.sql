-- The statements of a PostgreSQL wire session: kinds of the grammar like every other statement.

-- case: transaction blocks in their spellings, after a comment
/* hi */ begin transaction; START TRANSACTION READ ONLY; BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;
COMMIT; END WORK; COMMIT AND CHAIN; ROLLBACK; ABORT TRANSACTION AND NO CHAIN;
-- expect: [{"kind": "transaction", "action": "begin", "modes": []},
-- expect:  {"kind": "transaction", "action": "start", "modes": ["read only"]},
-- expect:  {"kind": "transaction", "action": "begin", "modes": ["isolation level read committed", "read write"]},
-- expect:  {"kind": "transaction", "action": "commit", "chain": false},
-- expect:  {"kind": "transaction", "action": "commit", "chain": false},
-- expect:  {"kind": "transaction", "action": "commit", "chain": true},
-- expect:  {"kind": "transaction", "action": "rollback", "chain": false},
-- expect:  {"kind": "transaction", "action": "rollback", "chain": false}]

-- case: SET of session parameters: values unquoted, lists, DEFAULT, TIME ZONE, quoted and dotted names
SET application_name = 'PostgreSQL JDBC Driver'; SET DateStyle TO ISO, MDY; SET extra_float_digits = -1.5;
SET LOCAL "DateStyle" = DEFAULT; set time zone 'Europe/Rome'; SET myapp.user = E'it\'s';
-- expect: [{"kind": "set_parameter", "scope": "session", "name": "application_name", "values": ["PostgreSQL JDBC Driver"]},
-- expect:  {"kind": "set_parameter", "name": "datestyle", "values": ["ISO", "MDY"]},
-- expect:  {"kind": "set_parameter", "name": "extra_float_digits", "values": ["-1.5"]},
-- expect:  {"kind": "set_parameter", "scope": "local", "name": "DateStyle", "values": null},
-- expect:  {"kind": "set_parameter", "name": "timezone", "values": ["Europe/Rome"]},
-- expect:  {"kind": "set_parameter", "name": "myapp.user", "values": ["it's"]}]

-- case: SET TRANSACTION, RESET, SHOW of parameters beside Eddy's SHOW, DISCARD, DEALLOCATE
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE; RESET ALL; RESET TIME ZONE;
SHOW TRANSACTION ISOLATION LEVEL; SHOW client_encoding; SHOW ALL; SHOW SOURCES; DISCARD TEMPORARY; DEALLOCATE PREPARE s1;
-- expect: [{"kind": "set_transaction", "characteristics": true, "modes": ["isolation level serializable"]},
-- expect:  {"kind": "reset_parameter", "name": null}, {"kind": "reset_parameter", "name": "timezone"},
-- expect:  {"kind": "show_parameter", "name": "transaction_isolation"}, {"kind": "show_parameter", "name": "client_encoding"},
-- expect:  {"kind": "show_parameter", "name": null}, {"kind": "show", "target": {"what": "sources"}},
-- expect:  {"kind": "discard", "target": "temp"}, {"kind": "deallocate", "name": "s1"}]

-- case: cursors over subscriptions and pull queries
DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SUBSCRIBE per_user WITH (snapshot = false);
DECLARE "C" CURSOR FOR SELECT * FROM range(3); FETCH 10 c WITH (timeout = '1s'); FETCH ALL FROM c; FETCH next; CLOSE ALL;
-- expect: [{"kind": "declare_cursor", "name": "c", "statement": {"kind": "subscribe", "name": "per_user", "options": {"snapshot": false}}},
-- expect:  {"kind": "declare_cursor", "name": "C", "statement": {"kind": "select", "query": {"text": "SELECT * FROM range(3)"}}},
-- expect:  {"kind": "fetch", "name": "c", "count": 10, "options": {"timeout": "1s"}},
-- expect:  {"kind": "fetch", "name": "c", "count": null}, {"kind": "fetch", "name": "next", "count": 1},
-- expect:  {"kind": "close_cursor", "name": null}]

-- case: COPY (...) TO STDOUT with both spellings of its options
COPY (SUBSCRIBE per_user) TO STDOUT; COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, HEADER); COPY (SHOW SOURCES) TO STDOUT CSV HEADER;
-- expect: [{"kind": "copy", "statement": {"kind": "subscribe"}, "options": {}},
-- expect:  {"kind": "copy", "statement": {"kind": "select"}, "options": {"format": "csv", "header": true}},
-- expect:  {"kind": "copy", "statement": {"kind": "show"}, "options": {"format": "csv", "header": true}}]

-- case: COPY to a file is refused in its own words
COPY clicks TO '/tmp/out.csv';
-- fail: COPY supports only COPY (SUBSCRIBE name) TO STDOUT and COPY (SELECT ...) TO STDOUT

-- case: a statement that merely holds session words is a statement of its own kind
INSERT INTO clicks VALUES (1, '/docs/pg_settings'); SELECT id, format_type FROM docs;
-- expect: [{"kind": "insert", "table": "clicks"}, {"kind": "select"}]
