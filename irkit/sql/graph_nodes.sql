-- Who is each principal-like node of the graph? For every uid in $uids: whether it acts in the logs
-- (an actor), whether the inventory knows it, and its canonical identity (inventory alias, else the
-- actors view's identity, else NULL). Binds: $uids. Uses: actors, inventory_aliases.
SELECT u.uid,
       a.actor_uid IS NOT NULL OR i.identity_id IS NOT NULL AS is_principal,
       coalesce(i.identity_id, a.identity_id) AS identity_id
FROM unnest($uids) AS u(uid)
LEFT JOIN actors a ON a.actor_uid = u.uid
LEFT JOIN inventory_aliases i ON i.alias = lower(u.uid)
