-- Gzipped CloudTrail logs (each file one JSON document {"Records": [...]}) into a Parquet table
-- partitioned by day. A job: run it whenever new logs may have arrived,
--   eddy run sql-examples/cloudtrail-to-parquet.sql --data-dir trail-job
-- and it processes the files it has not seen yet, commits, and exits (trigger = 'available_now').
-- Paths are relative to the directory eddy runs in. Column names are quoted: JSON keys match them
-- exactly, and CloudTrail's keys are camelCase.

CREATE SOURCE IF NOT EXISTS cloudtrail (
    "eventVersion" VARCHAR,
    "eventTime" TIMESTAMP,
    "eventSource" VARCHAR,
    "eventName" VARCHAR,
    "awsRegion" VARCHAR,
    "sourceIPAddress" VARCHAR,
    "userAgent" VARCHAR,
    "userIdentity" JSON,
    "requestParameters" JSON,
    "errorCode" VARCHAR,
    "eventID" VARCHAR,
    "readOnly" BOOLEAN,
    "recipientAccountId" VARCHAR
) WITH (connector = 'file', path = 'cloudtrail/**/*.json.gz', format = 'json', records = 'Records');

CREATE SINK IF NOT EXISTS cloudtrail_lake AS
  SELECT "eventID" AS event_id,
         "eventTime" AS event_time,
         "eventSource" AS event_source,
         "eventName" AS event_name,
         "awsRegion" AS aws_region,
         "sourceIPAddress" AS source_ip,
         "userAgent" AS user_agent,
         json_extract_string("userIdentity", '$.arn') AS user_arn,
         json_extract_string("userIdentity", '$.type') AS user_type,
         CAST("requestParameters" AS VARCHAR) AS request_parameters,
         "errorCode" AS error_code,
         "readOnly" AS read_only,
         "recipientAccountId" AS account_id,
         CAST("eventTime" AS DATE) AS event_date
  FROM cloudtrail
  WITH (connector = 'parquet', path = 'cloudtrail-lake', partition_by = 'event_date',
        compression = 'zstd', trigger = 'available_now');
