"""Microsoft Entra ID sign-ins and directory audits, and the Azure Activity log: one loader, three sources.

Every record gets its ``source`` from its content:

* ``entra_signin``: sign-in logs (interactive, non-interactive, service principal, managed identity)
  as Microsoft Graph ``/auditLogs/signIns`` objects, or as Azure Monitor diagnostic records
  (categories ``SignInLogs``, ``NonInteractiveUserSignInLogs``, ``ServicePrincipalSignInLogs``,
  ``ManagedIdentitySignInLogs``, ``ADFSSignInLogs``) whose ``properties`` hold the Graph fields;
* ``entra_audit``: directory audits as Graph ``/auditLogs/directoryAudits`` objects or ``AuditLogs``
  diagnostic records;
* ``azure_activity``: the Azure Activity log in its diagnostic-export shape (``operationName``,
  ``resultType``, ``identity.claims``, ``resourceId``), its REST / ``az monitor activity-log list`` shape
  (camelCase, ``{value, localizedValue}`` objects, ``eventDataId``) and its Python SDK shape (snake_case,
  ``event_data_id``, ``{value, localized_value}``). Azure Monitor resource logs in the common schema
  that name a ``/subscriptions/...`` resource are read into it too: Key Vault ``AuditEvent`` (the caller's
  token claims in ``identity.claim``) and Storage ``StorageRead`` / ``StorageWrite`` / ``StorageDelete``
  (``identity.type``, ``identity.requester``) each have their own mapping, other categories the Activity
  log's.

Containers: ``{"records": [...]}`` diagnostic envelopes, Graph ``{"value": [...]}`` pages, arrays, JSON lines.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          sign-in / audit: ``id``; activity: ``eventDataId`` / ``event_data_id``, else
                   SHA-256 of the raw record (the diagnostic export carries no event id)
time               ``createdDateTime`` / ``activityDateTime`` / ``eventTimestamp``, else ``time``
                   (7 fraction digits, ``Z`` or ``+00:00``)
actor_uid          users: ``userId`` (the object id: stable across renames, and the ``oid`` claim of
                   the same user's Azure Activity records), actor_name = ``userPrincipalName``;
                   service principals and managed identities: ``servicePrincipalId`` (the principal's
                   object id), actor_name = ``servicePrincipalName``; audit: ``initiatedBy.user.id`` or
                   ``initiatedBy.app.servicePrincipalId``; activity: the ``oid`` /
                   ``objectidentifier`` claim (else ``caller``), actor_name = UPN claim or ``caller``;
                   Key Vault: the same claims of ``identity.claim``; Storage: ``identity.requester
                   .objectId`` (OAuth, Kerberos), actor_name = its ``upn``; a shared key or SAS
                   request names no principal (actor null: only the key is known)
actor_type         users human; service principals and managed identities service; activity:
                   ``idtyp`` claim, else user claims (upn, scope, puid) human, app-only tokens service
credential_uid     service principal / managed identity sign-ins: ``servicePrincipalCredentialKeyId``
                   (else thumbprint, federated credential id, ``appId``); user sign-ins: ``appId`` (the
                   OAuth client); audit by an app: ``initiatedBy.app.appId``; activity and Key Vault:
                   ``appid`` claim; Storage: ``requester.appId``, else the ``tokenHash`` of the account
                   key or SAS as logged (``key1(<hash>)``, ``key1(<hash>),SasSignature(<hash>)``)
session_uid        sign-in: ``correlationId``; activity: ``correlationId``
account_uid        ``tenantId`` (else resource / home tenant; activity: the ``tid`` claim)
status             sign-in: ``status.errorCode`` / ``resultType`` (a string, ``"0"`` = success), detail
                   ``<code>: <failureReason>``; audit: ``result``; activity: ``status.value`` /
                   ``resultType`` (Started, Accepted: unknown), detail ``<status>: <sub-status>``;
                   Key Vault: ``properties.httpStatusCode`` (< 400 success; ``resultType`` says
                   Success for a 403), detail ``<code>: <resultSignature>[: <resultDescription>]``;
                   Storage: ``statusCode``, detail ``<statusCode>: <statusText>``
class_name         sign-in authentication; audit account_change for directory-object categories and
                   Add/Update/Delete operations; activity account_change for
                   ``Microsoft.Authorization/*`` and ``Microsoft.ManagedIdentity/*`` writes; data_access
                   for Storage and Key Vault object operations (secrets, keys, certificates)
target             sign-in: the resource signed in to (``resourceId`` / ``resourceDisplayName``,
                   type application, system ``entra``); audit: ``targetResources[0]``; activity:
                   ``resourceId`` as given (case is kept), type ``Microsoft.X/<type>``, system
                   ``azure:<provider namespace, lower-cased>``; Key Vault: the object of
                   ``properties.id`` / ``requestUri`` as ``<vault resourceId>/<secrets|keys|certificates>/<name>``
                   (no version), else the vault; Storage: the blob of ``properties.objectKey`` (else
                   ``uri``) as ``<resourceId>/containers/<container>/blobs/<blob>``, a container as
                   ``<resourceId>/containers/<container>`` (file shares, queues, tables likewise one
                   level), else the resource
resources          sign-in: app, service principals, managed identity's Azure resource (the key a
                   service principal signed in with is not a resource: it is credentials' ``used`` entry);
                   audit: other targets, the initiating app, the principal an app role assignment is
                   given to (``ServicePrincipal.ObjectID`` / ``User.ObjectID`` / ``Group.ObjectID``), the
                   key credentials and federated identity credentials the audit created or deleted
                   (type ``credential``, canonical); activity: authorization scope, entity,
                   ``xms_mirid``, client app, and a role assignment's request / response body:
                   grantee (``principalId``, typed by ``principalType``), ``roleDefinitionId``,
                   ``scope``; Key Vault and Storage: the vault / blob service (and a blob's container)
                   under the object, the client app
src_ip             sign-in ``ipAddress``; audit ``initiatedBy.user.ipAddress``; activity and resource logs
                   ``callerIpAddress`` (else ``httpRequest.clientIpAddress``, ``ipaddr`` claim) without
                   the port Storage appends (``198.51.100.40:32433``, ``[2001:db8::7]:443``)
user_agent         sign-in ``userAgent``; audit ``User-Agent`` detail; Key Vault ``properties.clientInfo``;
                   Storage ``properties.userAgentHeader`` (its quotes removed)
activity           sign-in: authenticate. Audit: grant for consent, app role assignments, (eligible)
                   role membership, delegated permission grants, owners, group and administrative-unit
                   membership added (``Consent to application``, ``Add app role assignment ...``,
                   ``Add member to role``, ``Add delegated permission grant``, ``Add owner to ...``,
                   ``Add member to group``), operationType Assign; ungrant for their removal (``Remove
                   ...``, ``Revoke consent``), Unassign; else Add/Create create, Delete/Remove delete,
                   Update/Set/Reset... update, other; a change of a target's ``AccountEnabled`` from
                   true to false (``Update service principal``, ``Update user``) ungrant: the principal
                   is disabled, false to true grant. Activity log: ``Microsoft.Authorization/roleAssignments``
                   (and PIM schedule requests, role definitions) ``/write`` and ``elevateAccess/action``
                   grant, ``roleAssignments`` / ``roleDefinitions`` ``/delete`` ungrant; else the ARM verb
                   (``/read`` read, ``/write`` update, ``/delete`` delete, ``/list*/action`` read, other).
                   Key Vault by the operation's verb (``SecretGet`` read, ``SecretList`` list, ``SecretSet``
                   create, ``KeySign`` other); Storage by its verb (``GetBlob`` read, ``ListBlobs`` list,
                   ``PutBlob`` create, ``SetBlobTier`` update, ``DeleteBlob`` delete), else its category
=================  ==========================================================================

Delegation and credentials (docs/normalization.md, "Delegation and credentials"). Canonical uid of
an Entra key credential (client secret, certificate, federated identity credential): its key id GUID
lower-cased, the same from the audit that adds it (``KeyDescription``'s ``KeyIdentifier``) to the
sign-in that uses it (``servicePrincipalCredentialKeyId``) to the audit that removes it.

* Sign-ins by a service principal or managed identity: ``used`` credential =
  ``servicePrincipalCredentialKeyId`` (else the certificate thumbprint lower-cased, else
  ``federatedCredentialId``, else the ``appId`` as an ``oauth_client``), principal = the service
  principal; kind from the documented ``clientCredentialType`` enum (``clientSecret`` app_secret,
  ``certificate`` certificate, ``federatedIdentityCredential`` federated_credential,
  ``clientAssertion`` federated_credential with a federated credential id, else certificate,
  ``managedIdentity`` / absent: other). A ``standing`` ``same_as`` hop ``appId`` -> ``servicePrincipalId``.
* User sign-ins: ``used`` ``oauth_client`` = the ``appId``; a successful one hands the client app a
  delegated token for the user: a ``grant`` ``on_behalf_of`` hop user -> ``appId`` (no token id:
  ``uniqueTokenIdentifier`` is not matched by anything the other sources log here). A successful user
  sign-in whose token came from a federation IdP (``tokenIssuerType`` ``ADFederationServices``: AD FS,
  Okta, ... with its issuer in ``tokenIssuerName``): an ``event`` ``federate`` hop issuer -> user
  (whoever controls that IdP vouched for this sign-in).
* Audits: key credentials in a target's ``KeyDescription`` new value but not its old one
  (``Add service principal credentials``, ``Update application – Certificates and secrets
  management``) are ``created``, those in the old value only (``Remove service principal
  credentials``) ``deleted``; KeyType ``Password`` app_secret, ``AsymmetricX509Cert`` certificate; name =
  its ``DisplayName``; principal = the target (service principal or application object id).
  ``FederatedIdentityCredentials`` changes the same way as ``federated_credential`` (uid = the
  credential's id where the value gives one, else none and its Name). ``Consent to application``: a
  ``standing`` ``consent`` hop initiator -> the target service principal. An initiating app named by app
  id and service principal, or an application object with an ``AppId`` detail: ``same_as``. Only
  successful audits create or delete; deleted key credentials are also listed in ``resources`` (type
  ``credential``), so the record of a revocation names what it revoked. ``Add app role assignment to
  service principal``: the grantee (``ServicePrincipal.ObjectID``) is given an application permission,
  an admin's consent to that app: a ``standing`` ``consent`` hop initiator -> grantee (none when the
  principal grants itself). A disabled principal (``AccountEnabled`` true -> false) is stated by
  ``activity`` ungrant on its target, not in ``credentials``: its keys are not revoked (the record names
  none, and they work again once it is re-enabled).
* Activity log and Key Vault: ``used`` ``oauth_client`` = the ``appid`` (``azp``) claim; an app-only
  token (``idtyp`` app) gives ``same_as`` ``appid`` -> ``oid``, a user token through a client app an
  ``event``-scope ``on_behalf_of`` hop user -> ``appid``.
* Storage: OAuth: ``used`` ``oauth_client`` = ``requester.appId``; a service principal's token
  (``authorization[].principals[].type`` ServicePrincipal, else no ``upn``) ``same_as`` ``appId`` ->
  ``objectId``, a user's ``on_behalf_of`` user -> ``appId`` (event). Account key: ``used``
  ``access_key``, SAS: ``used`` ``other``, uid = ``identity.tokenHash`` as logged, principal = the
  storage account's resource id.
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "entra"
VERSION = "1.3"
#: Kubernetes audit records of AKS (category kube-audit, kube-audit-admin) and Microsoft Graph activity
#: records (MicrosoftGraphActivityLogs) in an Azure Monitor export
ROUTES = ("k8s_audit", "graph_activity")
DESCRIPTION = (
    "Microsoft Entra ID sign-in and audit logs (Graph API or Azure Monitor export) and the Azure Activity log"
)

#: Azure Monitor diagnostic categories read by this loader (Entra ID and Activity log).
CATEGORIES = frozenset(
    c.lower()
    for c in (
        "SignInLogs",
        "NonInteractiveUserSignInLogs",
        "ServicePrincipalSignInLogs",
        "ManagedIdentitySignInLogs",
        "ADFSSignInLogs",
        "AuditLogs",
        "Administrative",
        "Security",
        "ServiceHealth",
        "Alert",
        "Recommendation",
        "Policy",
        "Autoscale",
        "ResourceHealth",
    )
)


def _is_record(r: dict) -> bool:
    category = r.get("category")
    if isinstance(category, str) and "operationName" in r and "time" in r:
        if category.lower() in CATEGORIES:
            return True
        resource = r.get("resourceId")
        return (
            not category.lower().startswith("kube-")
            and isinstance(resource, str)
            and resource.lower().startswith("/subscriptions/")
            and isinstance(r.get("identity"), dict)
        )
    if "eventDataId" in r and ("operationName" in r or "eventTimestamp" in r):
        return True
    if "event_data_id" in r and ("operation_name" in r or "event_timestamp" in r):
        return True
    if "activityDisplayName" in r and "activityDateTime" in r:
        return True
    return (
        "createdDateTime" in r
        and isinstance(r.get("status"), dict)
        and any(k in r for k in ("userPrincipalName", "appId", "signInEventTypes"))
    )


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(r, dict) and _is_record(r) for r in records)
