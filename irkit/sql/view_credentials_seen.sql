-- Which credentials do the records name? One row per (uid, kind, principal_uid) of any credential any
-- record used, issued, created, revoked or deleted: the lookups that ask "is this uid a credential" or
-- "whom does this credential authenticate as" read this instead of every record's credential list.
-- Every call of a session repeats its list: the distinct lists are unnested, not every record's.
-- Uses: events. Binds nothing.
SELECT DISTINCT c.uid, c.kind, c.principal_uid
FROM (SELECT DISTINCT credentials FROM events WHERE len(credentials) > 0) AS e, unnest(e.credentials) AS t(c)
WHERE c.uid IS NOT NULL OR c.principal_uid IS NOT NULL
