-- Syntax errors: `-- fail:` holds text the error message must contain (positions are in the case's SQL).

-- case: misspelt keyword in the envelope
CREATE SORCE bid (a INT);
-- fail: syntax error at line 1, column 8: expected MATERIALIZED, OR, SINK, SOURCE, TABLE or VIEW but "SORCE" found

-- case: misspelt keyword inside a materialized view's query
CREATE SOURCE t (a INT);
CREATE MATERIALIZED VIEW v AS
  SELECT a
  FORM t;
-- fail: syntax error at line 4, column 8: expected

-- case: missing comma between columns
CREATE SOURCE s (a INT b VARCHAR);
-- fail: syntax error at line 1, column 24: expected CHECK, COLLATE, DEFAULT, NOT, NULL, PRIMARY, REFERENCES, UNIQUE, "," or ")" but "b" found

-- case: missing statement separator
SHOW SOURCES SHOW SINKS;
-- fail: syntax error at line 1, column 14: expected ";" or end of input but "SHOW" found

-- case: option without a value
CREATE SINK s FROM v WITH (connector = );
-- fail: syntax error at line 1, column 40: expected option value but ")" found

-- case: duplicate option across the two WITH lists of a materialized view
CREATE MATERIALIZED VIEW v WITH (trigger = 'once') AS SELECT 1 AS x
WITH (Trigger = '1 second');
-- fail: syntax error at line 2, column 7: option "trigger" is given more than once

-- case: unbalanced parenthesis in a query
CREATE VIEW v AS SELECT (a FROM t;
-- fail: but ";" found

-- case: number followed by letters in an option
CREATE SOURCE s WITH (rate = 10s);
-- fail: syntax error at line 1, column 30: expected option value but "10s" found

-- case: ALTER with an unknown action
ALTER MATERIALIZED VIEW hot STOP;
-- fail: expected PAUSE, RESET or RESUME but "STOP" found

-- case: DROP of an unknown kind
DROP INDEX i;
-- fail: expected MATERIALIZED, SINK, SOURCE, TABLE or VIEW but "INDEX" found
