-- case: unknown table
SELECT * FROM nowhere;
-- error: UNDEFINED_TABLE 1:15
-- message: relation "nowhere" does not exist

-- case: unknown column names the column and the relations searched
SELECT auction,
       bogus
FROM bid b JOIN auction a ON b.auction = a.id;
-- error: UNDEFINED_COLUMN 2:8
-- message: column "bogus" does not exist
-- message: b, a

-- case: unknown column in WHERE
SELECT auction FROM bid WHERE pricee > 10;
-- error: UNDEFINED_COLUMN 1:31
-- message: "pricee"

-- case: unknown qualifier
SELECT x.auction FROM bid;
-- error: UNDEFINED_TABLE 1:8
-- message: missing FROM-clause entry for table "x"

-- case: ambiguous column
SELECT id FROM stations, prices;
-- error: AMBIGUOUS_COLUMN 1:8
-- message: stations.id, prices.id

-- case: ambiguous column in a join condition
SELECT 1 AS one FROM bid JOIN auction ON auction = id AND date_time > date_time;
-- error: AMBIGUOUS_COLUMN 1:59

-- case: sum over VARCHAR names sum and the argument type
SELECT auction, sum(channel) FROM bid GROUP BY auction;
-- error: UNDEFINED_FUNCTION 1:17
-- message: sum(VARCHAR)

-- case: unknown function
SELECT no_such_fn(price) FROM bid;
-- error: UNDEFINED_FUNCTION 1:8
-- message: no_such_fn

-- case: type mismatch in an expression
SELECT auction FROM bid WHERE date_time > 5;
-- error: DATATYPE_MISMATCH 1:31

-- case: WHERE must be boolean
SELECT auction FROM bid WHERE price + 1;
-- error: DATATYPE_MISMATCH 1:31
-- message: WHERE must be type BOOLEAN

-- case: column outside GROUP BY
SELECT auction, price FROM bid GROUP BY auction;
-- error: GROUPING_ERROR 1:17
-- message: "bid.price"

-- case: aggregate in WHERE
SELECT auction FROM bid WHERE count(*) > 1;
-- error: GROUPING_ERROR 1:31
-- message: WHERE

-- case: nested aggregate
SELECT max(count(*)) FROM bid;
-- error: GROUPING_ERROR 1:8
-- message: nested

-- case: a general aggregate nested in another
SELECT auction, median(count(price)) FROM bid GROUP BY auction;
-- error: GROUPING_ERROR 1:17
-- message: nested

-- case: a general aggregate in WHERE
SELECT auction FROM bid WHERE median(price) > 3;
-- error: GROUPING_ERROR 1:31
-- message: not allowed in WHERE

-- case: a general aggregate over a wrong type names DuckDB's reason
SELECT bit_and(url ORDER BY price) FROM bid;
-- error: UNDEFINED_FUNCTION 1:8

-- case: star in a general aggregate
SELECT median(*) FROM bid;
-- error: SYNTAX_ERROR 1:8
-- message: "*" is not allowed in the argument of median

-- case: window function in WHERE
SELECT auction FROM bid WHERE row_number() OVER (ORDER BY price) = 1;
-- error: FEATURE_NOT_SUPPORTED 1:31
-- message: only supported in a select list

-- case: window function over the groups of the same SELECT
SELECT auction, sum(count(*)) OVER () FROM bid GROUP BY auction;
-- error: FEATURE_NOT_SUPPORTED 1:17
-- message: window functions over the groups

-- case: IN subquery
SELECT * FROM bid WHERE auction IN (SELECT id FROM auction);
-- error: FEATURE_NOT_SUPPORTED 1:37
-- message: subqueries

-- case: EXISTS subquery
SELECT * FROM bid WHERE EXISTS (SELECT 1 FROM auction);
-- error: FEATURE_NOT_SUPPORTED 1:25
-- message: EXISTS

-- case: scalar subquery
SELECT auction FROM bid WHERE price > (SELECT max(id) FROM auction);
-- error: FEATURE_NOT_SUPPORTED 1:40

-- case: INTERSECT with different column counts
SELECT auction, price FROM bid INTERSECT SELECT id FROM auction;
-- error: SYNTAX_ERROR 1:32
-- message: each INTERSECT query must have the same number of columns

-- case: UNION with different column counts
SELECT auction, price FROM bid
UNION ALL SELECT id FROM auction;
-- error: SYNTAX_ERROR 2:1
-- message: same number of columns

-- case: LIMIT inside a subquery
SELECT * FROM (SELECT auction FROM bid LIMIT 5) AS s;
-- error: FEATURE_NOT_SUPPORTED 1:40
-- message: LIMIT

-- case: other table functions
SELECT * FROM generate_series(1, 10);
-- error: FEATURE_NOT_SUPPORTED 1:15
-- message: generate_series

-- case: selecting from a sink
SELECT * FROM out;
-- error: WRONG_OBJECT_TYPE 1:15
-- message: sink

-- case: a view that refers to itself
SELECT * FROM cyc1;
-- error: INVALID_PARAMETER 1:15
-- message: cyc1 -> cyc2 -> cyc1

-- case: an error inside a view points at the reference
SELECT auction FROM bid JOIN broken ON auction = x;
-- error: UNDEFINED_COLUMN 1:30
-- message: in view "broken": column "gone" does not exist

-- case: ORDER BY an expression that is not an output column
SELECT auction FROM bid ORDER BY price;
-- error: FEATURE_NOT_SUPPORTED 1:34
-- message: ORDER BY

-- case: ORDER BY ordinal out of range
SELECT auction FROM bid ORDER BY 2;
-- error: SYNTAX_ERROR 1:34

-- case: GROUP BY ordinal out of range
SELECT auction, count(*) FROM bid GROUP BY 3;
-- error: GROUPING_ERROR 1:44

-- case: SELECT without FROM
SELECT 1;
-- error: FEATURE_NOT_SUPPORTED 1:1

-- case: USING a column one side lacks
SELECT * FROM bid JOIN auction USING (auction);
-- error: UNDEFINED_COLUMN 1:19
-- message: USING

-- case: invalid cast target
SELECT CAST(price AS MONEY) FROM bid;
-- error: DATATYPE_MISMATCH 1:8

-- case: ORDER BY an unknown column
SELECT auction FROM bid ORDER BY nope;
-- error: FEATURE_NOT_SUPPORTED 1:34

-- case: HAVING refers to a non-grouped column
SELECT auction, count(*) FROM bid GROUP BY auction HAVING price > 1;
-- error: GROUPING_ERROR 1:59
-- message: "bid.price"

-- case: positions are relative to the script when the query starts later
SELECT auction
  FROM bid
 WHERE missing_col = 1;
-- error: UNDEFINED_COLUMN 3:8

-- case: NATURAL JOIN
SELECT * FROM stations NATURAL JOIN prices;
-- error: FEATURE_NOT_SUPPORTED 1:24
-- message: NATURAL

-- case: operator type errors read like PostgreSQL's
SELECT auction FROM bid WHERE channel + 1 > 2;
-- error: UNDEFINED_FUNCTION 1:31
-- message: operator does not exist: VARCHAR + INTEGER

-- case: ORDER BY an aggregate that is not selected
SELECT auction FROM bid GROUP BY auction ORDER BY count(*);
-- error: FEATURE_NOT_SUPPORTED 1:51

-- case: IS DISTINCT FROM is rejected rather than mis-resolved
SELECT auction FROM bid WHERE bidder IS DISTINCT FROM price;
-- error: FEATURE_NOT_SUPPORTED 1:31
-- message: DISTINCT FROM

-- case: subquery in a join condition
SELECT b.auction FROM bid b JOIN auction a ON a.id IN (SELECT auction FROM bid);
-- error: FEATURE_NOT_SUPPORTED 1:56

-- case: DISTINCT ON whose ORDER BY begins elsewhere
SELECT DISTINCT ON (auction) auction, price FROM bid ORDER BY price DESC;
-- error: INVALID_COLUMN_REFERENCE 1:54
-- message: must match initial ORDER BY expressions
