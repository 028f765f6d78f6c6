-- Which resources look like production or sensitive data without an inventory saying so? Every distinct
-- resource uid (an event's target and every resource it names, context types left out) whose uid, type
-- or name matches one of the heuristics ($names[i] matched by the case-insensitive regular expression
-- $patterns[i]; docs/inventory.md "Production and sensitive data"), with the heuristics it matches, its
-- first record and how many records name it. Principals and credentials are not data: a uid some
-- record acts as, delegates from or to, or names as a credential is left out, and so is a type matching
-- $not_data (roles, accounts, apps, role bindings). Binds: $names, $patterns (parallel lists), $not_data.
-- Uses: events, principal_hops, credentials_seen, macros (irkit_context_type).
WITH named AS (
    SELECT target_uid AS uid, target_type AS type, target_name AS name, time, event_uid FROM events
    WHERE target_uid IS NOT NULL AND NOT irkit_context_type(target_type)
    UNION ALL
    SELECT r.uid, r.type, NULL, e.time, e.event_uid FROM events e, unnest(e.resources) AS t(r)
    WHERE r.uid IS NOT NULL AND NOT irkit_context_type(r.type)
),
resources AS (
    SELECT uid, any_value(type) AS type, any_value(name) AS name, min(time) AS first_time,
           arg_min(event_uid, (time, event_uid)) AS event_uid, count(*) AS records
    FROM named
    WHERE NOT regexp_matches(coalesce(type, ''), $not_data)
      AND uid NOT IN (SELECT actor_uid FROM events WHERE actor_uid IS NOT NULL
                      UNION ALL SELECT from_uid FROM principal_hops UNION ALL SELECT to_uid FROM principal_hops
                      UNION ALL SELECT uid FROM credentials_seen WHERE uid IS NOT NULL)
    GROUP BY uid
)
SELECT uid, type, name, first_time, event_uid, records,
       list_filter(list_transform(range(1, len($names) + 1),
                                  lambda i: CASE WHEN regexp_matches(concat_ws(' ', uid, type, name), $patterns[i])
                                                 THEN $names[i] END),
                   lambda x: x IS NOT NULL) AS heuristics
FROM resources
WHERE len(list_filter($patterns, lambda p: regexp_matches(concat_ws(' ', uid, type, name), p))) > 0
ORDER BY uid
