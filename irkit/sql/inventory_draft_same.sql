-- Which uids does a record prove to name one principal? The standing same_as hops of the model (an app
-- id and its service principal, a workload-identity principal and its Kubernetes service account, an
-- App and its bot), with the first proving record. Binds nothing. Uses: principal_hops.
SELECT from_uid, to_uid, event_uid, first_time
FROM principal_hops
WHERE kind = 'same_as'
ORDER BY first_time, from_uid, to_uid
