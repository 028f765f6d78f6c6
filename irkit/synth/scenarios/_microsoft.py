"""Microsoft Entra ID and Azure records in the shapes their APIs and exports deliver them.

* Entra sign-ins as Microsoft Graph **beta** ``/auditLogs/signIns`` objects (the beta endpoint is the one
  that returns service-principal sign-ins, with ``signInEventTypes``, ``servicePrincipalCredentialKeyId``
  and ``clientCredentialType``); user sign-ins carry empty strings for the service-principal fields, as
  Graph writes them. ``status.errorCode`` is a number.
* Directory audits as Graph v1.0 ``/auditLogs/directoryAudits`` objects: ``id`` of the form
  ``Directory_<correlationId>_<5 chars>_<8 digits>``, ``initiatedBy.user`` or ``initiatedBy.app``,
  ``targetResources[].modifiedProperties`` whose values are JSON text (``"\\"...\\""``, ``[...]``); key
  credentials are listed in ``KeyDescription`` as ``[KeyIdentifier=<id>,KeyType=...,KeyUsage=...,DisplayName=...]``.
* Graph pages: ``{"@odata.context": ..., "value": [...], "@odata.nextLink": ...}``, newest first.
* The Azure Activity log in its REST shape (``az monitor activity-log list``: camelCase, ``eventDataId``,
  ``{value, localizedValue}`` objects), one JSON array, two records (Started/BeginRequest,
  Succeeded/EndRequest) per write.
* Key Vault ``AuditEvent`` and Storage ``StorageRead`` resource logs as a diagnostic setting archives them
  to a storage account: one JSON object per line in ``PT1H.json`` blobs. Key Vault keeps the caller's token
  claims under ``identity.claim`` (singular); Storage under ``identity.requester`` and lists the RBAC
  decision in ``identity.authorization[]``; Storage's ``callerIpAddress`` keeps the port.

All times are 100-ns UTC (seven fraction digits, ``Z``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .._util import NS, Ids, iso_s

JsonObj = dict[str, Any]

# Well-known first-party application ids (the same in every tenant).
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
KEYVAULT_APP = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
STORAGE_APP = "e406a681-f3d4-42a8-90b6-c2b029497af1"
ARM_APP = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
AZURE_PORTAL_APP = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
OFFICE_HOME_APP = "4765445b-32c6-49b0-83e6-1d93765276ca"
TEAMS_APP = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
SHAREPOINT_APP = "00000003-0000-0ff1-ce00-000000000000"
AZURE_CLI_APP = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
RESOURCE_NAMES = {
    GRAPH_APP: "Microsoft Graph", KEYVAULT_APP: "Azure Key Vault", STORAGE_APP: "Azure Storage",
    ARM_APP: "Windows Azure Service Management API", SHAREPOINT_APP: "Office 365 SharePoint Online",
    OFFICE_HOME_APP: "OfficeHome", TEAMS_APP: "Microsoft Teams", AZURE_PORTAL_APP: "Azure Portal",
}


def iso7(ns: int) -> str:
    """2026-11-18T13:41:03.1234567Z (Graph, Activity log and resource logs)."""
    return f"{iso_s(ns)[:-1]}.{(ns % NS) // 100:07d}Z"


def ticks(ns: int) -> int:
    """.NET ticks (100 ns since 0001-01-01), as the Activity log's ``id`` ends."""
    return ns // 100 + 621355968000000000


def _location(city: str, country: str, lat: float, lon: float) -> JsonObj:
    return {"city": city, "state": "", "countryOrRegion": country,
            "geoCoordinates": {"altitude": None, "latitude": lat, "longitude": lon}}


WESTEUROPE = _location("Amsterdam", "NL", 52.3740, 4.8897)
OFFICE = _location("Hamburg", "DE", 53.5511, 9.9937)
ELSEWHERE = _location("Bucharest", "RO", 44.4268, 26.1025)


def _signin_common(ids: Ids, ns: int, *, app_id: str, app_name: str, resource_app: str, resource_sp: str,
                   ip: str, location: JsonObj, correlation: str, tenant: str) -> JsonObj:
    return {
        "id": ids.uuid4(),
        "createdDateTime": iso7(ns),
        "appDisplayName": app_name,
        "appId": app_id,
        "appOwnerTenantId": tenant,
        "correlationId": correlation,
        "ipAddress": ip,
        "location": location,
        "resourceDisplayName": RESOURCE_NAMES.get(resource_app, resource_app),
        "resourceId": resource_app,
        "resourceServicePrincipalId": resource_sp,
        "resourceTenantId": tenant,
        "homeTenantId": tenant,
        "status": {"errorCode": 0, "failureReason": None, "additionalDetails": None},
        "uniqueTokenIdentifier": ids.b64(16, urlsafe=True, pad=False),
    }


def sp_signin(ids: Ids, ns: int, *, tenant: str, sp_id: str, app_id: str, name: str, key_id: str | None,
              thumbprint: str | None, credential_type: str, resource_app: str, resource_sp: str, ip: str,
              location: JsonObj = WESTEUROPE, correlation: str | None = None) -> JsonObj:
    """A service principal's client-credentials sign-in (Graph beta ``signIn``)."""
    rec = _signin_common(ids, ns, app_id=app_id, app_name=name, resource_app=resource_app,
                         resource_sp=resource_sp, ip=ip, location=location,
                         correlation=correlation or ids.uuid4(), tenant=tenant)
    rec.update({
        "userDisplayName": None, "userPrincipalName": None, "userId": "", "userType": None,
        "clientAppUsed": None, "isInteractive": False, "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [], "authenticationDetails": [],
        "authenticationProcessingDetails": [{"key": "Azure AD App Authentication Library",
                                             "value": "Family: MSAL Library: MSAL.Python 1.31.0 Platform: Python"}],
        "authenticationProtocol": "none", "incomingTokenType": "none", "tokenIssuerType": "AzureAD",
        "tokenIssuerName": "", "riskDetail": "none", "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none", "riskState": "none", "riskEventTypes_v2": [],
        "signInEventTypes": ["servicePrincipal"],
        "servicePrincipalId": sp_id, "servicePrincipalName": name,
        "servicePrincipalCredentialKeyId": key_id or "",
        "servicePrincipalCredentialThumbprint": thumbprint or "",
        "clientCredentialType": credential_type, "federatedCredentialId": "",
        "managedServiceIdentity": {"msiType": "none", "associatedResourceId": None, "federatedTokenId": None,
                                   "federatedTokenIssuer": None},
        "userAgent": "", "flaggedForReview": False, "isTenantRestricted": False, "crossTenantAccessType": "none",
    })
    return rec


def user_signin(ids: Ids, ns: int, *, tenant: str, user_id: str, upn: str, display: str, app_id: str,
                resource_app: str, resource_sp: str, ip: str, ua: str, okta_issuer: str,
                interactive: bool = True, location: JsonObj = OFFICE, correlation: str | None = None) -> JsonObj:
    """A federated user's sign-in: the user authenticated at Okta, which the tenant's domain trusts."""
    rec = _signin_common(ids, ns, app_id=app_id, app_name=RESOURCE_NAMES.get(app_id, app_id),
                         resource_app=resource_app, resource_sp=resource_sp, ip=ip, location=location,
                         correlation=correlation or ids.uuid4(), tenant=tenant)
    step = iso7(ns - 1_300 * 1_000_000) if interactive else iso7(ns)
    rec.update({
        "userDisplayName": display, "userPrincipalName": upn, "userId": user_id, "userType": "member",
        "clientAppUsed": "Browser", "isInteractive": interactive, "conditionalAccessStatus": "success",
        "appliedConditionalAccessPolicies": [],
        "authenticationDetails": [{"authenticationStepDateTime": step, "authenticationMethod": "Federated",
                                   "authenticationMethodDetail": None, "succeeded": True,
                                   "authenticationStepResultDetail": "First factor requirement satisfied by claim in the token",
                                   "authenticationStepRequirement": "Primary authentication"}],
        "authenticationProcessingDetails": [],
        "authenticationProtocol": "wsFederation" if interactive else "none",
        "incomingTokenType": "saml11" if interactive else "primaryRefreshToken",
        "tokenIssuerType": "ADFederationServices", "tokenIssuerName": okta_issuer,
        "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "Windows10",
                         "browser": "Edge 131.0.0", "isCompliant": False, "isManaged": False, "trustType": ""},
        "riskDetail": "none", "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none",
        "riskState": "none", "riskEventTypes_v2": [],
        "signInEventTypes": ["interactiveUser" if interactive else "nonInteractiveUser"],
        "servicePrincipalId": "", "servicePrincipalName": "", "servicePrincipalCredentialKeyId": "",
        "servicePrincipalCredentialThumbprint": "", "clientCredentialType": "none", "federatedCredentialId": "",
        "userAgent": ua, "flaggedForReview": False, "isTenantRestricted": False, "crossTenantAccessType": "none",
    })
    return rec


# ---------------------------------------------------------------- directory audits
def prop(name: str, old: Any, new: Any) -> JsonObj:
    """A modifiedProperty: Graph serializes old and new values as JSON text (null stays null)."""
    def text(v: Any) -> str | None:
        return None if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return {"displayName": name, "oldValue": text(old), "newValue": text(new)}


def key_description(key_id: str, key_type: str, usage: str, name: str) -> str:
    return f"[KeyIdentifier={key_id},KeyType={key_type},KeyUsage={usage},DisplayName={name}]"


def by_user(user_id: str, upn: str, ip: str) -> JsonObj:
    return {"user": {"id": user_id, "displayName": None, "userPrincipalName": upn, "ipAddress": ip,
                     "homeTenantId": None, "homeTenantName": None}}


def by_app(sp_id: str, app_id: str, name: str) -> JsonObj:
    return {"app": {"appId": app_id, "displayName": name, "servicePrincipalId": sp_id,
                    "servicePrincipalName": None}}


def target(obj_id: str, kind: str, name: str | None, props: list[JsonObj] | None = None,
           upn: str | None = None) -> JsonObj:
    return {"id": obj_id, "displayName": name, "type": kind, "userPrincipalName": upn, "groupType": None,
            "modifiedProperties": props or []}


def directory_audit(ids: Ids, ns: int, *, activity: str, category: str, operation_type: str,
                    initiated_by: JsonObj, targets: list[JsonObj], user_agent: str | None = None,
                    service: str = "Core Directory", correlation: str | None = None) -> JsonObj:
    correlation = correlation or ids.uuid4()
    suffix = "".join(ids.rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=5))
    details = [{"key": "User-Agent", "value": user_agent}] if user_agent else []
    return {
        "id": f"Directory_{correlation}_{suffix}_{ids.rng.randint(10_000_000, 99_999_999)}",
        "category": category,
        "correlationId": correlation,
        "result": "success",
        "resultReason": "",
        "activityDisplayName": activity,
        "activityDateTime": iso7(ns),
        "loggedByService": service,
        "operationType": operation_type,
        "initiatedBy": initiated_by,
        "targetResources": targets,
        "additionalDetails": details,
    }


def graph_page(context: str, records: list[JsonObj], next_link: str | None) -> JsonObj:
    page: JsonObj = {"@odata.context": context, "value": records}
    if next_link:
        page["@odata.nextLink"] = next_link
    return page


# ---------------------------------------------------------------- Azure Activity log (REST shape)
def _lv(value: str) -> JsonObj:
    return {"value": value, "localizedValue": value}


def activity_pair(ids: Ids, ns: int, *, subscription: str, tenant: str, resource_id: str, operation: str,
                  claims: JsonObj, caller: str, ip: str, status_code: str, request_body: str | None = None,
                  duration_ns: int = 900_000_000) -> list[JsonObj]:
    """The two records of one ARM write: Started (BeginRequest) and Succeeded (EndRequest)."""
    correlation, operation_id = ids.uuid4(), ids.uuid4()
    parts = resource_id.split("/")
    group = parts[4] if len(parts) > 4 and parts[3].lower() == "resourcegroups" else None
    after = resource_id.split("/providers/", 1)[1].split("/") if "/providers/" in resource_id else []
    provider = after[0] if after else "Microsoft.Resources"
    rtype = "/".join([provider] + after[1::2]) if after else "Microsoft.Resources/resourceGroups"
    out = []
    for begin in (True, False):
        when = ns if begin else ns + duration_ns
        event_id = ids.uuid4()
        props: JsonObj = {"eventCategory": "Administrative", "entity": resource_id, "message": operation,
                          "hierarchy": f"{tenant}/{subscription}"}
        if begin and request_body is not None:
            props["requestbody"] = request_body
        if not begin:
            props = {"statusCode": status_code, "serviceRequestId": ids.uuid4(), **props}
        out.append({
            "authorization": {"action": operation, "scope": resource_id},
            "caller": caller,
            "channels": "Operation",
            "claims": claims,
            "correlationId": correlation,
            "description": "",
            "eventDataId": event_id,
            "eventName": _lv("BeginRequest" if begin else "EndRequest"),
            "category": _lv("Administrative"),
            "eventTimestamp": iso7(when),
            "id": f"{resource_id}/events/{event_id}/ticks/{ticks(when)}",
            "level": "Informational",
            "operationId": operation_id,
            "operationName": _lv(operation),
            "properties": props,
            "resourceGroupName": group,
            "resourceProviderName": _lv(provider),
            "resourceType": _lv(rtype),
            "resourceId": resource_id,
            "status": _lv("Started" if begin else "Succeeded"),
            "subStatus": _lv("" if begin else ("Created" if status_code == "Created" else "")),
            "submissionTimestamp": iso7(when + 14 * NS + ids.rng.randint(0, 9_999_999) * 100),
            "subscriptionId": subscription,
            "tenantId": tenant,
            "httpRequest": {"clientRequestId": ids.uuid4(), "clientIpAddress": ip,
                            "method": "PUT" if operation.endswith("/write") else "POST"},
        })
    return out


def app_claims(tenant: str, sp_id: str, app_id: str, ip: str, ids: Ids, ns: int) -> JsonObj:
    iat = ns // NS - 300
    return {
        "aud": "https://management.core.windows.net/", "iss": f"https://sts.windows.net/{tenant}/",
        "iat": str(iat), "nbf": str(iat), "exp": str(iat + 3900), "aio": ids.b64(40),
        "appid": app_id, "appidacr": "1", "idtyp": "app",
        "http://schemas.microsoft.com/identity/claims/identityprovider": f"https://sts.windows.net/{tenant}/",
        "http://schemas.microsoft.com/identity/claims/objectidentifier": sp_id,
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": sp_id,
        "http://schemas.microsoft.com/identity/claims/tenantid": tenant,
        "uti": ids.b64(16, urlsafe=True, pad=False), "ver": "1.0", "ipaddr": ip,
    }


def user_claims(tenant: str, user_id: str, upn: str, name: str, ip: str, ids: Ids, ns: int) -> JsonObj:
    iat = ns // NS - 900
    return {
        "aud": "https://management.core.windows.net/", "iss": f"https://sts.windows.net/{tenant}/",
        "iat": str(iat), "nbf": str(iat), "exp": str(iat + 4500),
        "http://schemas.microsoft.com/claims/authnclassreference": "1", "aio": ids.b64(48),
        "http://schemas.microsoft.com/claims/authnmethodsreferences": "pwd", "appid": AZURE_PORTAL_APP,
        "appidacr": "0", "name": name, "ipaddr": ip,
        "http://schemas.microsoft.com/identity/claims/objectidentifier": user_id,
        "puid": f"1003{ids.hex(12).upper()}",
        "http://schemas.microsoft.com/identity/claims/scope": "user_impersonation",
        "http://schemas.microsoft.com/identity/claims/tenantid": tenant,
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": upn,
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": upn,
        "uti": ids.b64(16, urlsafe=True, pad=False), "ver": "1.0",
    }


# ---------------------------------------------------------------- resource logs (diagnostic archive)
def keyvault_event(ids: Ids, ns: int, *, vault_rid: str, vault: str, operation: str, secret: str | None,
                   tenant: str, oid: str, app_id: str, ip: str, client: str) -> JsonObj:
    """A Key Vault ``AuditEvent`` record (data plane: SecretGet, SecretList...)."""
    path = f"secrets/{secret}" if secret else "secrets"
    obj_id = f"https://{vault}.vault.azure.net/{path}" + (f"/{ids.hex(32)}" if secret else "")
    return {
        "time": iso7(ns),
        "category": "AuditEvent",
        "operationName": operation,
        "resultType": "Success",
        "correlationId": ids.uuid4(),
        "callerIpAddress": ip,
        "identity": {"claim": {
            "http://schemas.microsoft.com/identity/claims/objectidentifier": oid, "appid": app_id,
            "appidacr": "1", "idtyp": "app", "http://schemas.microsoft.com/identity/claims/tenantid": tenant}},
        "properties": {"id": obj_id, "clientInfo": client, "httpStatusCode": 200,
                       "requestUri": f"https://{vault}.vault.azure.net/{path}{'/' if secret else ''}?api-version=7.5",
                       "isAccessPolicyMatch": False, "isRbacAuthorized": True, "tlsVersion": "TLS1.3"},
        "resourceId": vault_rid.upper(),
        "operationVersion": "7.5",
        "resultSignature": "OK",
        "durationMs": str(ids.rng.randint(4, 40)),
        "location": "westeurope",
    }


def storage_event(ids: Ids, ns: int, *, account_rid: str, account: str, container: str, blob: str | None,
                  operation: str, tenant: str, oid: str, app_id: str, ip: str, ua: str,
                  role_assignment: str, role_definition: str) -> JsonObj:
    """A Storage ``StorageRead`` record for an OAuth (Entra token) request on blob storage."""
    key = f"/{account}/{container}" + (f"/{blob}" if blob else "")
    uri = f"https://{account}.blob.core.windows.net/{container}" + (
        f"/{blob}" if blob else "?restype=container&comp=list")
    action = ("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read" if blob
              else "Microsoft.Storage/storageAccounts/blobServices/containers/read")
    return {
        "time": iso7(ns),
        "resourceId": f"{account_rid}/blobServices/default",
        "category": "StorageRead",
        "operationName": operation,
        "operationVersion": "2025-01-05",
        "schemaVersion": "1.0",
        "statusCode": 200,
        "statusText": "Success",
        "durationMs": ids.rng.randint(6, 90),
        "callerIpAddress": f"{ip}:{ids.rng.randint(30000, 65000)}",
        "correlationId": f"{ids.hex(8)}-{ids.hex(4)}-00{ids.hex(2)}-{ids.hex(4)}-{ids.hex(6)}000000",
        "identity": {
            "type": "OAuth",
            "tokenHash": f"sha256={ids.hex(64).upper()}",
            "authorization": [{"action": action, "denyAssignmentId": "", "principals": [{"id": oid, "type": "ServicePrincipal"}],
                               "reason": "Policy", "result": "Granted", "roleAssignmentId": role_assignment,
                               "roleDefinitionId": role_definition, "type": "RBAC"}],
            "requester": {"appId": app_id, "audience": "https://storage.azure.com/", "objectId": oid,
                          "tenantId": tenant, "tokenIssuer": f"https://sts.windows.net/{tenant}/"},
        },
        "location": "westeurope",
        "properties": {"accountName": account, "userAgentHeader": ua, "serviceType": "blob", "objectKey": key,
                       "metricResponseType": "Success", "serverLatencyMs": ids.rng.randint(3, 40),
                       "requestHeaderSize": ids.rng.randint(1400, 2200),
                       "responseHeaderSize": ids.rng.randint(300, 500),
                       "responseBodySize": ids.rng.randint(2000, 900000) if blob else ids.rng.randint(600, 4000),
                       "tlsVersion": "TLS 1.3", "accessTier": "Hot" if blob else None},
        "uri": uri,
        "protocol": "HTTPS",
        "resourceType": "Microsoft.Storage/storageAccounts/blobServices",
    }


def archive_path(category: str, resource_id: str, ns: int) -> str:
    """Where a diagnostic setting archives a resource's log hour: insights-logs-<category>/resourceId=.../PT1H.json."""
    t = dt.datetime.fromtimestamp(ns // NS, dt.UTC)
    return (f"insights-logs-{category.lower()}/resourceId={resource_id.upper()}/y={t:%Y}/m={t:%m}/d={t:%d}/"
            f"h={t:%H}/m=00/PT1H.json")
