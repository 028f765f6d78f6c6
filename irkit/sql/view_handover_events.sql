-- Which events can hand control beyond their own actor? One row per event whose delegations carry a
-- hop of scope event (an impersonation or on-behalf-of recorded in the event itself) or grant, or whose
-- credentials were created or issued, with its delegations, those credentials (minted), whether it
-- carries an event-scope hop (event_hop), and the scalar columns the control rules read
-- (control_source.sql). A few percent of a lake's records: control reads them here instead of every
-- record's delegation and credential lists (most records carry a standing session_of hop and a used
-- credential). Uses: events. Binds nothing.
WITH facts AS (
    SELECT event_uid, time, end_time, day, status, actor_uid, credential_uid, class_name, activity, src_ip,
           trace_uid, span_uid, parent_span_uid, source, operation, target_uid, target_system, target_type,
           session_uid, tool_name, evidence_offset, resources, delegations,
           len(list_filter(delegations, lambda h: h.scope IN ('event', 'grant'))) > 0 AS hands_hop,
           list_filter(credentials, lambda c: c.action IN ('created', 'issued') AND c.uid IS NOT NULL) AS minted
    FROM events
    WHERE len(delegations) > 0 OR len(credentials) > 0
)
SELECT * EXCLUDE (hands_hop), len(list_filter(delegations, lambda h: h.scope = 'event')) > 0 AS event_hop
FROM facts
WHERE hands_hop OR len(minted) > 0
