-- The identity links with both ends resolved to canonical identities: an inventory alias, else the
-- actor's identity (actors: same_as and session_of already applied), else the uid itself.
-- Uses: identity_links, actors, inventory_aliases. Binds nothing.
SELECT l.*,
       coalesce(sa.identity_id, sx.identity_id, l.src) AS src_identity,
       coalesce(da.identity_id, dx.identity_id, l.dst) AS dst_identity
FROM identity_links l
LEFT JOIN inventory_aliases sa ON sa.alias = lower(l.src)
LEFT JOIN actors sx ON sx.actor_uid = l.src
LEFT JOIN inventory_aliases da ON da.alias = lower(l.dst)
LEFT JOIN actors dx ON dx.actor_uid = l.dst
