-- Scalar macros every irkit connection defines; loaders and analyses share them.
-- No parameters are bound here: each macro is a pure function of its arguments.

-- A timestamp from an epoch number whose unit is read off its magnitude; NULL for a number no
-- timestamp can hold (1e30), so that one bad value never fails a whole ingest.
CREATE OR REPLACE MACRO irkit_epoch(x) AS (
    CASE
        WHEN x IS NULL THEN NULL
        WHEN abs(x) >= 1e17 THEN TRY(make_timestamptz(TRY_CAST(x / 1000 AS BIGINT)))
        WHEN abs(x) >= 1e14 THEN TRY(make_timestamptz(TRY_CAST(x AS BIGINT)))
        WHEN abs(x) >= 1e11 THEN TRY(make_timestamptz(TRY_CAST(x * 1000 AS BIGINT)))
        ELSE TRY(make_timestamptz(TRY_CAST(x * 1000000 AS BIGINT)))
    END
);

-- A timestamp from text in any form audit logs use: ISO-8601 with 'T' or a space, 'Z', an offset or
-- none (UTC assumed), 0 to 9 fraction digits; or epoch seconds/milliseconds/microseconds/nanoseconds
-- as digits (the magnitude decides the unit).
CREATE OR REPLACE MACRO irkit_ts(s) AS (
    CASE
        WHEN isfinite(TRY_CAST(s AS TIMESTAMPTZ)) THEN TRY_CAST(s AS TIMESTAMPTZ)
        WHEN isfinite(TRY_CAST(s AS DOUBLE)) THEN irkit_epoch(TRY_CAST(s AS DOUBLE))
    END
);

-- NULL for the empty and placeholder values vendors write instead of leaving a field out.
CREATE OR REPLACE MACRO irkit_nz(s) AS (
    CASE WHEN s IS NULL OR trim(s) IN ('', 'null', 'NULL', 'None', 'unknown', '-') THEN NULL ELSE s END
);

-- The IAM role behind an assumed-role session ARN (arn:aws:sts::A:assumed-role/R/S -> arn:aws:iam::A:role/R),
-- else NULL. Roles with a path lose it in the session ARN; events' delegator_uid keeps the exact one.
CREATE OR REPLACE MACRO irkit_session_role(u) AS (
    CASE WHEN u LIKE 'arn:aws:sts::%:assumed-role/%'
         THEN regexp_replace(u, '^arn:aws:sts::([0-9]*):assumed-role/([^/]+)/.*$', 'arn:aws:iam::\1:role/\2') END
);

-- Whether a record is an act on something downstream: not a model call (target_type model) and not
-- protocol housekeeping (the MCP / JSON-RPC methods initialize, ping, */list, notifications/*, and
-- responses, which reach nothing).
CREATE OR REPLACE MACRO irkit_acts(operation, target_type) AS (
    coalesce(target_type, '') <> 'model'
    AND NOT (coalesce(operation, '') IN ('initialize', 'ping', 'response') OR coalesce(operation, '') LIKE '%/list'
             OR coalesce(operation, '') LIKE '% response' OR coalesce(operation, '') LIKE 'notifications/%')
);

-- Whether a resource type names context of a record rather than something it acted on: the
-- conversation, tool-call and JSON-RPC ids, tool arguments, MCP session and server, model, organization / enterprise,
-- app, source identity, agent.
CREATE OR REPLACE MACRO irkit_context_type(t) AS (
    coalesce(t, '') IN ('conversation', 'tool_call', 'jsonrpc_id', 'tool_arguments', 'mcp_session', 'mcp_server', 'model',
                        'organization', 'enterprise', 'app', 'source_identity', 'agent')
);
