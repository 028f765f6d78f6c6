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

-- The activity (schema ACTIVITIES) of an MCP JSON-RPC operation: a request's method, or '<method> response'
-- for its answer. For every loader of MCP traffic (proxies, gateways, clients' logs).
CREATE OR REPLACE MACRO irkit_mcp_activity(op) AS (
    CASE
        WHEN op IN ('tools/call', 'tools/call response') THEN 'invoke'
        WHEN op IN ('resources/read', 'resources/read response', 'prompts/get', 'prompts/get response') THEN 'read'
        WHEN op LIKE '%/list' OR op LIKE '%/list response' THEN 'list'
        WHEN op IN ('resources/subscribe', 'resources/unsubscribe') THEN 'update'
        ELSE 'other'
    END
);

-- An IP address (IPv4 dotted quad, IPv6 in hex groups, either with a zone), else NULL: a service name a
-- vendor writes in its source-address field ('AWS Internal', 's3.amazonaws.com') or a malformed value is
-- not an address (the record's raw keeps it).
CREATE OR REPLACE MACRO irkit_ip(s) AS (
    CASE WHEN regexp_full_match(trim(s), '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])')
              OR (regexp_full_match(trim(s), '[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?') AND contains(s, ':')
                  AND length(s) <= 64 AND NOT contains(s, ':::'))
         THEN trim(s) END
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
-- conversation, tool-call and JSON-RPC ids, tool arguments and results, MCP session and server, model, organization / enterprise,
-- app, source identity, agent.
CREATE OR REPLACE MACRO irkit_context_type(t) AS (
    coalesce(t, '') IN ('conversation', 'tool_call', 'jsonrpc_id', 'tool_arguments', 'tool_result', 'mcp_session', 'mcp_server', 'model',
                        'organization', 'enterprise', 'app', 'source_identity', 'agent')
);

-- One delegation hop and one credential entry of the normalized model (irkit.schema.DELEGATION,
-- CREDENTIAL), typed as the lake stores them; every loader builds its entries with these.
CREATE OR REPLACE MACRO irkit_hop(kind, from_uid, to_uid, credential_uid, scope, expires := NULL) AS struct_pack(
    kind := CAST(kind AS VARCHAR), from_uid := CAST(from_uid AS VARCHAR), to_uid := CAST(to_uid AS VARCHAR),
    credential_uid := CAST(credential_uid AS VARCHAR), scope := CAST(scope AS VARCHAR),
    expires := CAST(expires AS TIMESTAMPTZ));
CREATE OR REPLACE MACRO irkit_cred(uid, kind, action, principal_uid, name, expires := NULL) AS struct_pack(
    uid := CAST(uid AS VARCHAR), kind := CAST(kind AS VARCHAR), action := CAST(action AS VARCHAR),
    principal_uid := CAST(principal_uid AS VARCHAR), name := CAST(name AS VARCHAR),
    expires := CAST(expires AS TIMESTAMPTZ));

-- The kind of act of a Kubernetes request (the k8s_audit and gcp_audit loaders, GKE entries in the latter):
-- writing an RBAC binding or role grants (deleting one ungrants: a role's rules are the permissions of
-- the subjects bound to it), approving a CSR grants, exec/attach/portforward/proxy invoke, a TokenRequest
-- or TokenReview authenticates, an access review reads; else by verb (get/watch read, list list, create
-- create, update/patch update, delete/deletecollection delete, anything else other).
CREATE OR REPLACE MACRO irkit_k8s_activity(verb, res, sub) AS (
    CASE
        WHEN res IN ('rolebindings', 'clusterrolebindings', 'roles', 'clusterroles') AND sub IS NULL
             AND verb IN ('create', 'update', 'patch') THEN 'grant'
        WHEN res IN ('rolebindings', 'clusterrolebindings', 'roles', 'clusterroles') AND sub IS NULL
             AND verb IN ('delete', 'deletecollection') THEN 'ungrant'
        WHEN res = 'certificatesigningrequests' AND sub = 'approval' AND verb IN ('update', 'patch') THEN 'grant'
        WHEN sub IN ('exec', 'attach', 'portforward', 'proxy') THEN 'invoke'
        WHEN (res = 'serviceaccounts' AND sub = 'token' AND verb = 'create') OR res = 'tokenreviews' THEN 'authenticate'
        WHEN res IN ('subjectaccessreviews', 'selfsubjectaccessreviews', 'localsubjectaccessreviews',
                     'selfsubjectrulesreviews', 'selfsubjectreviews') THEN 'read'
        WHEN verb IN ('get', 'watch') THEN 'read'
        WHEN verb = 'list' THEN 'list'
        WHEN verb = 'create' THEN 'create'
        WHEN verb IN ('update', 'patch') THEN 'update'
        WHEN verb IN ('delete', 'deletecollection') THEN 'delete'
        ELSE 'other'
    END
);
