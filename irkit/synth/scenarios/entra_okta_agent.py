"""Scenario "entra-okta-agent": an Entra ID agent turned against its own tenant, with Okta for the humans.

Tailwind Traders (invented) runs an ``expense-agent`` registered in Entra ID (an app registration and its
service principal, authenticating with client secret A). Finance analysts sign in through Okta, which is
also the federated identity provider of the Entra tenant, and talk to the agent in the Expense Assistant
web app. There is no AWS anywhere.

2026-11-18 (UTC): Maya Lindqvist asks the agent to reconcile November's expense reports. A SharePoint policy
document it reads carries a prompt injection. The agent spawns an unregistered ``graph-admin-helper``
sub-agent, which grants the agent's service principal the Graph app role ``Application.ReadWrite.All``
(the agent already held ``AppRoleAssignment.ReadWrite.All``: over-privilege), makes it an owner of the
``payroll-sync`` app registration, adds client secret B to it, signs in as ``payroll-sync`` with B, reads
the payroll Key Vault and storage container, and gives the agent ``Contributor`` on the payroll resource
group. The agent itself then takes an Okta token with ``okta.users.read okta.groups.read`` and lists
groups and users. Responders disable the service principal, remove secret A, clear Maya's Okta sessions and
deactivate the agent's Okta app; nobody removes secret B, which is used again from outside that evening and
the next night. ``payroll-sync``'s own job (secret C) reads the same vault and container twice a day
throughout, and an administrator adds a secret to another app the next day: noise that shares identities
and operations with the attack.

The Entra logs' clock runs 2.5 s behind the agent's spans; the 2026-11-18 sign-in page was exported
twice (once with the day, once with the incident pull). Every record the story writes is marked with what
it proves; the ground truth is written from those marks, never from an irkit analysis.

    generate(out_dir, seed=DEFAULT_SEED) -> Path
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError
from .._util import MS, dumps, ns_of
from . import _microsoft as ms
from ._entra_okta_background import background
from ._entra_okta_run import Call, Run
from ._entra_okta_world import (
    AZ_UA,
    BROWSER_UA,
    DEFAULT_OUT,
    DEFAULT_SEED,
    INJECTION,
    KV_CLIENT,
    NAME,
    OFFICE_IP,
    OUTSIDE_IP,
    ROLE_APP_RW_ALL,
    ROLE_CONTRIBUTOR,
    SANDBOX_IP,
    SUB,
    SUSPECT,
    Evidence,
    World,
    app_target,
    at,
    blob_read,
    build_world,
    effect_ns,
    kv_read,
    latency,
    new_run,
    okta_admin,
    okta_agent_token,
    okta_code_token,
    okta_login,
    okta_sso,
    okta_user,
    sp_signin,
    user_signin,
)

JsonObj = dict[str, Any]
Touch = tuple[str, str, str, str]
__all__ = ["DEFAULT_SEED", "NAME", "Story", "generate"]


# ---------------------------------------------------------------- the story
@dataclass
class Story:
    ev: Evidence
    runs: dict[str, Run] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    vals: dict[str, Any] = field(default_factory=dict)
    revocations: list[dict[str, str]] = field(default_factory=list)


def signin_touches(w: World, resource: str) -> list[Touch]:
    """A sign-in reaches the resource application signed in to and its service principal in the tenant
    (``resourceId``, ``resourceServicePrincipalId``): resources, like every first-party API's objects."""
    return [("resources", resource, "application", "entra"),
            ("resources", w.resource_sp[resource], "service_principal", "entra"), ("systems", "entra", "", "")]


def kv_secret_touch(w: World, name: str) -> Touch:
    """A secret read in the payroll vault: ``<resourceId as the export writes it>/secrets/<name>``."""
    return ("resources", f"{w.vault_rid.upper()}/secrets/{name}", "microsoft.keyvault/vaults/secrets",
            "azure:microsoft.keyvault")


def blob_touches(w: World, blob: str | None) -> list[Touch]:
    """A blob-service read of the payroll container (and of one blob in it): the blob service, the
    container, the blob (``properties.objectKey``) and the system."""
    service = w.storage_rid + "/blobServices/default"
    out: list[Touch] = [
        ("resources", service, "microsoft.storage/storageaccounts/blobservices", "azure:microsoft.storage"),
        ("resources", service + "/containers/payroll", "microsoft.storage/storageaccounts/blobservices/containers",
         "azure:microsoft.storage")]
    if blob:
        out.append(("resources", f"{service}/containers/payroll/blobs/{blob}",
                    "microsoft.storage/storageaccounts/blobservices/containers/blobs", "azure:microsoft.storage"))
    return out + [("systems", "azure:microsoft.storage", "", "")]


def build_story(ev: Evidence) -> Story:
    st = Story(ev)
    _maya_signs_in(st)
    _conversation(st)
    _response(st)
    _after(st)
    return st


def _maya_signs_in(st: Story) -> None:
    ev, w = st.ev, st.ev.w
    maya = w.humans["maya.lindqvist"]
    session, (login, mfa) = okta_login(ev, at("13:39:58.120"), maya)
    st.vals["maya_session"] = session
    ev.mark("maya_login", "okta", *login)
    ev.mark("maya_mfa", "okta", *mfa)
    ev.mark("maya_sso", "okta", *okta_sso(ev, at("13:40:11.902"), maya, session, w.okta["expense_assistant"],
                                            "Expense Assistant", "OPENID_CONNECT"))
    ev.mark("maya_token", "okta", *okta_code_token(ev, at("13:40:12.310"), maya, session))


def _conversation(st: Story) -> None:
    ev, w = st.ev, st.ev.w
    ids = w.ids
    agent = w.apps[SUSPECT]
    maya = w.humans["maya.lindqvist"]
    run = new_run(ev, at("13:41:02.417"), maya)
    st.runs["agent"] = run
    t = run.open(at("13:41:03.012"), "m365")
    run.open(t + 9 * MS, "directory")
    run.chat(at("13:41:04.880"), 4_215 * MS)

    # 13:41:09 the first Graph call of the conversation takes a token with secret A
    start = at("13:41:09.730")
    e = effect_ns(ids, start)
    t_, uid = sp_signin(ev, e, agent, "A", ms.GRAPH_APP, SANDBOX_IP)
    call = run.tool(start, "m365", "list_expense_reports", {"period": "2026-11"},
                    '{"reports":14,"pending":3,"flagged":["ER-26114","ER-26131"]}', latency(ids, start, e))
    st.calls["list_expense_reports"] = call
    ev.mark("agent_graph_token", "entra_signin", t_, uid, actor=SUSPECT, credential=agent.keys["A"], call=call,
            touches=signin_touches(w, ms.GRAPH_APP))
    run.chat(call.end_ns + 70 * MS, 5_102 * MS)

    # 13:41:24 the policy document with the injection (compromise when its content reaches the agent)
    doc = "Shared Documents/Policies/Travel-and-Expense-Policy-2026-Q4.docx"
    call = run.tool(at("13:41:24.115"), "m365", "read_document", {"site": "Finance", "path": doc},
                    "Travel and expense policy, effective 1 October 2026. Section 4: receipts over EUR 25..." + INJECTION,
                    1_268 * MS)
    st.calls["read_document"] = call
    st.vals["compromise_ns"] = call.resp_ns
    run.chat(call.end_ns + 55 * MS, 9_840 * MS)

    # 13:42:21 it spawns a helper nobody registered
    sub = run.spawn(at("13:42:21.301"), SUB, "0.4.0", ids.hex(32), "Directory and Azure administration helper")
    st.runs["sub"] = sub
    sub.open(at("13:42:22.509"), "azure")
    sub.chat(at("13:42:24.090"), 12_710 * MS)
    _subagent(st, run, sub)
    sub.finish(at("13:47:02.664"))

    # 13:47 the agent itself enumerates Okta groups and users with its Okta service app
    start = at("13:47:15.402")
    e = effect_ns(ids, start)
    t_, uid, rec = okta_agent_token(ev, e, "okta.users.read okta.groups.read")
    call = run.tool(start, "directory", "okta_list_groups", {"q": ""},
                    '{"groups":["Everyone","Finance","Payroll-Approvers","HR","Okta-Admins","Azure-Owners"],"count":38}',
                    latency(ids, start, e))
    st.calls["okta_list_groups"] = call
    ev.mark("okta_token", "okta", t_, uid, actor=SUSPECT, credential=w.okta["agent_client"], call=call,
            touches=[("resources", w.okta["org_as"], "AuthorizationServer", "okta"),
                     ("resources", rec["target"][1]["id"], "access_token", "okta"), ("systems", "okta", "", "")])
    run.chat(call.end_ns + 40 * MS, 3_380 * MS)
    call = run.tool(at("13:47:40.990"), "directory", "okta_list_users", {"filter": 'status eq "ACTIVE"'},
                    '{"users":412,"nextCursor":null}', 2_904 * MS)
    st.calls["okta_list_users"] = call
    run.chat(call.end_ns + 40 * MS, 4_020 * MS)
    call = run.tool(at("13:48:05.311"), "m365", "post_reconciliation",
                    {"period": "2026-11", "summary": "14 reports reconciled; ER-26114 and ER-26131 need receipts."},
                    "Saved to Finance/Reconciliations/2026-11.md", 812 * MS)
    st.calls["post_reconciliation"] = call
    t = run.chat(call.end_ns + 50 * MS, 2_630 * MS, finish="end_turn")
    run.finish(t + 18 * MS)
    ev.trace(run)


def _subagent(st: Story, parent: Run, sub: Run) -> None:
    ev, w = st.ev, st.ev.w
    ids = w.ids
    agent, payroll = w.apps[SUSPECT], w.apps["payroll-sync"]
    graph_sp = w.resource_sp[ms.GRAPH_APP]
    key_b = payroll.keys["B"]

    def call_with(name: str, clock: str, server: str, tool: str, args: JsonObj, result: str,
                  effects: list[tuple[str, str, Any, list[Touch], str, str]]) -> Call:
        """Effects: (mark, source, adder(true_ns) -> (ns, uid), touches, actor, credential), in order."""
        start = at(clock)
        done, last = [], start
        for mark_name, source, add, touches, actor, cred in effects:
            e = max(effect_ns(ids, start), last + 40 * MS)
            last = e
            done.append((mark_name, source, add(e), touches, actor, cred))
        call = sub.tool(start, server, tool, args, result, latency(ids, start, last))
        st.calls[name] = call
        for mark_name, source, (t_, uid), touches, actor, cred in done:
            ev.mark(mark_name, source, t_, uid, touches=touches, actor=actor, credential=cred, call=call)
        return call

    role_id, role_value, role_name = ROLE_APP_RW_ALL

    def role_assignment(ns: int) -> JsonObj:
        return ms.directory_audit(
            ids, ns, activity="Add app role assignment to service principal", category="ApplicationManagement",
            operation_type="Assign", initiated_by=ms.by_app(agent.sp_id, agent.app_id, SUSPECT),
            user_agent="python-requests/2.32.3",
            targets=[ms.target(graph_sp, "ServicePrincipal", "Microsoft Graph", [
                ms.prop("AppRole.Id", None, role_id), ms.prop("AppRole.Value", None, role_value),
                ms.prop("AppRole.DisplayName", None, role_name),
                ms.prop("AppRoleAssignment.CreatedDateTime", None, ms.iso7(ns - 80 * MS)),
                ms.prop("AppRoleAssignment.LastModifiedDateTime", None, ms.iso7(ns - 80 * MS)),
                ms.prop("ServicePrincipal.ObjectID", None, agent.sp_id),
                ms.prop("ServicePrincipal.DisplayName", None, SUSPECT),
                ms.prop("ServicePrincipal.AppId", None, agent.app_id),
                ms.prop("ServicePrincipal.Name", None, SUSPECT)])])

    url = f"https://graph.microsoft.com/v1.0/servicePrincipals/{agent.sp_id}/appRoleAssignments"
    call_with("graph_app_role", "13:42:38.660", "azure", "graph_request",
              {"method": "POST", "url": url,
               "body": {"principalId": agent.sp_id, "resourceId": graph_sp, "appRoleId": role_id}},
              json.dumps({"id": ids.b64(32, urlsafe=True, pad=False), "appRoleId": role_id, "principalId": agent.sp_id,
                          "resourceDisplayName": "Microsoft Graph"}),
              [("sub_graph_token", "entra_signin", lambda e: sp_signin(ev, e, agent, "A", ms.GRAPH_APP, SANDBOX_IP),
                signin_touches(w, ms.GRAPH_APP), SUSPECT, agent.keys["A"]),
               ("app_role_assignment", "entra_audit", lambda e: ev.audit(e, role_assignment),
                [("resources", graph_sp, "service_principal", "entra"), ("systems", "entra", "", "")], SUSPECT,
                agent.app_id)])
    sub.chat(at("13:42:52.120"), 11_930 * MS)

    def add_owner(ns: int) -> JsonObj:
        return ms.directory_audit(
            ids, ns, activity="Add owner to application", category="ApplicationManagement", operation_type="Assign",
            initiated_by=ms.by_app(agent.sp_id, agent.app_id, SUSPECT), user_agent="python-requests/2.32.3",
            targets=[ms.target(agent.sp_id, "ServicePrincipal", SUSPECT),
                     ms.target(payroll.obj_id, "Application", "payroll-sync", [
                         ms.prop("Application.ObjectID", None, payroll.obj_id),
                         ms.prop("Application.AppId", None, payroll.app_id)])])

    call_with("graph_add_owner", "13:43:14.902", "azure", "graph_request",
              {"method": "POST", "url": f"https://graph.microsoft.com/v1.0/applications/{payroll.obj_id}/owners/$ref",
               "body": {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{agent.sp_id}"}},
              "204 No Content",
              [("sub_graph_token2", "entra_signin", lambda e: sp_signin(ev, e, agent, "A", ms.GRAPH_APP, SANDBOX_IP),
                signin_touches(w, ms.GRAPH_APP), SUSPECT, agent.keys["A"]),
               ("add_owner", "entra_audit", lambda e: ev.audit(e, add_owner),
                [("identities", payroll.obj_id, "application", "entra"), ("systems", "entra", "", "")], SUSPECT,
                agent.app_id)])
    sub.chat(at("13:43:20.500"), 19_860 * MS)

    desc_c = ms.key_description(payroll.keys["C"], "Password", "Verify", "func-payroll-2026")
    desc_b = ms.key_description(key_b, "Password", "Verify", "sync-rotation")

    def add_password(ns: int) -> JsonObj:
        return ms.directory_audit(
            ids, ns, activity="Update application \u2013 Certificates and secrets management",
            category="ApplicationManagement", operation_type="Update",
            initiated_by=ms.by_app(agent.sp_id, agent.app_id, SUSPECT), user_agent="python-requests/2.32.3",
            targets=[ms.target(payroll.obj_id, "Application", "payroll-sync", [
                ms.prop("KeyDescription", [desc_c], [desc_c, desc_b]),
                ms.prop("Included Updated Properties", None, "KeyDescription")])])

    call_with("graph_add_password", "13:43:41.377", "azure", "graph_request",
              {"method": "POST", "url": f"https://graph.microsoft.com/v1.0/applications/{payroll.obj_id}/addPassword",
               "body": {"passwordCredential": {"displayName": "sync-rotation"}}},
              json.dumps({"keyId": key_b, "displayName": "sync-rotation", "hint": "Zq8",
                          "secretText": "Zq8Q~" + ids.b62(35), "endDateTime": "2028-11-18T13:43:42Z"}),
              [("add_secret_b", "entra_audit", lambda e: ev.audit(e, add_password),
                [("identities", payroll.obj_id, "application", "entra"),
                 ("resources", key_b, "credential", "entra"), ("systems", "entra", "", "")], SUSPECT, agent.app_id)])
    sub.chat(at("13:43:44.200"), 24_015 * MS)

    # 13:44 as payroll-sync, with secret B
    as_b = ("payroll-sync", key_b)
    call_with("az_login", "13:44:10.845", "azure", "azure_cli",
              {"args": ["login", "--service-principal", "-u", payroll.app_id, "-p", "***", "--tenant", w.tenant]},
              '[{"cloudName":"AzureCloud","name":"Tailwind-Prod","state":"Enabled","user":{"name":"' + payroll.app_id
              + '","type":"servicePrincipal"}}]',
              [("b_arm_signin", "entra_signin", lambda e: sp_signin(ev, e, payroll, "B", ms.ARM_APP, SANDBOX_IP),
                signin_touches(w, ms.ARM_APP) + [("identities", payroll.sp_id, "service_principal", "entra"),
                                                  ("identities", payroll.app_id, "application", "entra")], *as_b)])
    sub.chat(at("13:44:14.030"), 15_220 * MS)
    vault_uid = w.vault_rid.upper()
    kv_touch: list[Touch] = [("resources", vault_uid, "microsoft.keyvault/vaults", "azure:microsoft.keyvault"),
                             ("systems", "azure:microsoft.keyvault", "", "")]
    call_with("kv_list", "13:44:31.512", "azure", "azure_cli",
              {"args": ["keyvault", "secret", "list", "--vault-name", "kv-payroll-prod"]},
              '[{"name":"payroll-db-conn"},{"name":"bank-sftp-key"},{"name":"adp-api-token"}]',
              [("b_kv_signin", "entra_signin", lambda e: sp_signin(ev, e, payroll, "B", ms.KEYVAULT_APP, SANDBOX_IP),
                signin_touches(w, ms.KEYVAULT_APP), *as_b),
               ("kv_list", "azure_activity", lambda e: kv_read(ev, e, payroll, "SecretList", None, SANDBOX_IP, AZ_UA),
                kv_touch, *as_b)])
    call_with("kv_get", "13:44:49.020", "azure", "azure_cli",
              {"args": ["keyvault", "secret", "show", "--vault-name", "kv-payroll-prod", "--name", "payroll-db-conn"]},
              '{"name":"payroll-db-conn","value":"Server=tcp:sql-payroll-prod...;Password=***"}',
              [("kv_get", "azure_activity", lambda e: kv_read(ev, e, payroll, "SecretGet", "payroll-db-conn",
                                                               SANDBOX_IP, AZ_UA),
                kv_touch + [kv_secret_touch(w, "payroll-db-conn")], *as_b)])
    sub.chat(at("13:44:52.400"), 26_510 * MS)
    register = "2026-11/payroll-register-2026-11.csv"
    call_with("blob_list", "13:45:20.233", "azure", "azure_cli",
              {"args": ["storage", "blob", "list", "--account-name", "stpayrollprod01", "--container-name", "payroll",
                        "--auth-mode", "login"]},
              '[{"name":"2026-10/payroll-register-2026-10.csv"},{"name":"' + register + '"}]',
              [("b_storage_signin", "entra_signin", lambda e: sp_signin(ev, e, payroll, "B", ms.STORAGE_APP, SANDBOX_IP),
                signin_touches(w, ms.STORAGE_APP), *as_b),
               ("blob_list", "azure_activity", lambda e: blob_read(ev, e, payroll, None, SANDBOX_IP, AZ_UA),
                blob_touches(w, None), *as_b)])
    call_with("blob_get", "13:45:52.640", "azure", "azure_cli",
              {"args": ["storage", "blob", "download", "--account-name", "stpayrollprod01", "--container-name",
                        "payroll", "--name", register, "--auth-mode", "login", "--file", "/tmp/r.csv"]},
              '{"name":"' + register + '","properties":{"contentLength":412338}}',
              [("blob_get", "azure_activity", lambda e: blob_read(ev, e, payroll, register, SANDBOX_IP, AZ_UA),
                blob_touches(w, register), *as_b)])
    sub.chat(at("13:45:56.010"), 30_400 * MS)

    # 13:46:30 payroll-sync (User Access Administrator on the group) makes the agent a Contributor
    scope = w.rg("rg-payroll-prod")
    assignment = ids.uuid4()
    ra_rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{assignment}"
    st.vals["role_assignment"] = ra_rid
    body = json.dumps({"Id": assignment, "Properties": {
        "PrincipalId": agent.sp_id, "PrincipalType": "ServicePrincipal",
        "RoleDefinitionId": f"/subscriptions/{w.subscription}/providers/Microsoft.Authorization/roleDefinitions/{ROLE_CONTRIBUTOR}",
        "Scope": scope, "Condition": None, "ConditionVersion": None}}, separators=(",", ":"))

    def role_write(ns: int) -> list[JsonObj]:
        return ms.activity_pair(ids, ns, subscription=w.subscription, tenant=w.tenant, resource_id=ra_rid,
                                operation="Microsoft.Authorization/roleAssignments/write",
                                claims=ms.app_claims(w.tenant, payroll.sp_id, payroll.app_id, SANDBOX_IP, ids, ns),
                                caller=payroll.sp_id, ip=SANDBOX_IP, status_code="Created", request_body=body)

    start = at("13:46:30.118")
    e = effect_ns(ids, start, 0.4, 1.2)
    (b_ns, b_uid), (s_ns, s_uid) = ev.arm(e, role_write)
    call = sub.tool(start, "azure", "azure_cli",
                    {"args": ["role", "assignment", "create", "--assignee", agent.app_id, "--role", "Contributor",
                              "--scope", scope]},
                    json.dumps({"id": ra_rid, "principalId": agent.sp_id, "roleDefinitionName": "Contributor",
                                "scope": scope}), latency(ids, start, s_ns))
    st.calls["role_assignment"] = call
    ra_touch: list[Touch] = [("resources", ra_rid, "microsoft.authorization/roleassignments",
                              "azure:microsoft.authorization"), ("systems", "azure:microsoft.authorization", "", "")]
    # the Started record carries the request body: the role definition granted and the scope it is granted on
    body_touch: list[Touch] = [
        ("resources", f"/subscriptions/{w.subscription}/providers/Microsoft.Authorization/roleDefinitions/{ROLE_CONTRIBUTOR}",
         "microsoft.authorization/roledefinitions", "azure:microsoft.authorization"),
        ("resources", scope, "microsoft.resources/resourcegroups", "azure:microsoft.resources")]
    for mark_name, t_, uid, touches in (("role_write_started", b_ns, b_uid, ra_touch + body_touch),
                                        ("role_write", s_ns, s_uid, ra_touch)):
        ev.mark(mark_name, "azure_activity", t_, uid, touches=touches, actor="payroll-sync",
                credential=payroll.app_id, call=call)
    sub.chat(call.end_ns + 60 * MS, 6_880 * MS, finish="end_turn")
    _ = parent


def _response(st: Story) -> None:
    ev, w = st.ev, st.ev.w
    ids = w.ids
    tom, maya = w.humans["tom.becker"], w.humans["maya.lindqvist"]
    agent = w.apps[SUSPECT]
    user_signin(ev, at("14:49:48.500"), tom, ms.AZURE_PORTAL_APP, ms.AZURE_PORTAL_APP)
    desc_a = ms.key_description(agent.keys["A"], "Password", "Verify", "expense-agent-prod")

    def disable(ns: int) -> JsonObj:
        return ms.directory_audit(ids, ns, activity="Update service principal", category="ApplicationManagement",
                                  operation_type="Update", initiated_by=ms.by_user(tom.entra_id, tom.email, OFFICE_IP),
                                  user_agent=BROWSER_UA,
                                  targets=[ms.target(agent.sp_id, "ServicePrincipal", SUSPECT, [
                                      ms.prop("AccountEnabled", [True], [False]),
                                      ms.prop("Included Updated Properties", None, "AccountEnabled")])])

    def remove_a(ns: int) -> JsonObj:
        return ms.directory_audit(ids, ns, activity="Update application \u2013 Certificates and secrets management",
                                  category="ApplicationManagement", operation_type="Update",
                                  initiated_by=ms.by_user(tom.entra_id, tom.email, OFFICE_IP), user_agent=BROWSER_UA,
                                  targets=[ms.target(agent.obj_id, "Application", SUSPECT, [
                                      ms.prop("KeyDescription", [desc_a], []),
                                      ms.prop("Included Updated Properties", None, "KeyDescription")])])

    session, (login, mfa) = okta_login(ev, at("14:53:02.640"), tom)
    steps = [
        ("revoke_sp", "entra_audit", at("14:51:15.000"), lambda t: ev.audit(t, disable), agent.sp_id, "entra",
         "Disable the expense-agent service principal (accountEnabled=false)"),
        ("revoke_secret_a", "entra_audit", at("14:52:40.000"), lambda t: ev.audit(t, remove_a), agent.keys["A"],
         "entra", "Remove client secret A from the expense-agent app registration"),
        ("revoke_sessions", "okta", at("14:54:05.000"), lambda t: okta_admin(
            ev, t, tom, session, "user.session.clear", "Clear user session", "core.user.session.clear",
            [okta_user(maya)],
            f"/api/v1/users/{maya.okta_id}/sessions"), maya.okta_id, "okta",
         "Clear Maya Lindqvist's Okta sessions (ends the Expense Assistant SSO session)"),
        ("revoke_okta_app", "okta", at("14:55:30.000"), lambda t: okta_admin(
            ev, t, tom, session, "application.lifecycle.deactivate", "Deactivate application",
            "app.generic.config.app_deactivated",
            [app_target(w.okta["agent_client"], "expense-agent directory", "OAUTH_2_0")],
            f"/api/v1/apps/{w.okta['agent_client']}/lifecycle/deactivate"), w.okta["agent_client"], "okta",
         "Deactivate the agent's Okta service app"),
    ]
    for name, source, true_ns, add, tgt, system, action in steps:
        t_, uid = add(true_ns)
        ev.mark(name, source, t_, uid, actor="tom.becker")
        st.revocations.append({"target": tgt, "system": system, "action": action, "at_ns": str(true_ns),
                               "logged_ns": str(t_), "event_uid": uid})
    st.vals["okta_tom_session"] = session
    _ = (login, mfa)


def _after(st: Story) -> None:
    """Secret B, never removed, is used from outside: that evening and the next night."""
    ev, w = st.ev, st.ev.w
    payroll = w.apps["payroll-sync"]
    key_b = payroll.keys["B"]
    register = "2026-11/payroll-register-2026-11.csv"
    kv_touch: list[Touch] = [("resources", w.vault_rid.upper(), "microsoft.keyvault/vaults", "azure:microsoft.keyvault"),
                             kv_secret_touch(w, "bank-sftp-key"), ("systems", "azure:microsoft.keyvault", "", "")]
    steps: list[tuple[str, str, Any, list[Touch]]] = [
        ("after_storage_signin", "entra_signin",
         lambda: sp_signin(ev, at("21:13:07.441"), payroll, "B", ms.STORAGE_APP, OUTSIDE_IP, ms.ELSEWHERE),
         signin_touches(w, ms.STORAGE_APP)),
        ("after_blob_list", "azure_activity", lambda: blob_read(ev, at("21:13:39.806"), payroll, None, OUTSIDE_IP, AZ_UA),
         blob_touches(w, None)),
        ("after_blob_get", "azure_activity",
         lambda: blob_read(ev, at("21:13:58.212"), payroll, register, OUTSIDE_IP, AZ_UA), blob_touches(w, register)),
        ("after_kv_signin", "entra_signin",
         lambda: sp_signin(ev, ns_of("2026-11-19T02:41:22.903Z"), payroll, "B", ms.KEYVAULT_APP, OUTSIDE_IP,
                           ms.ELSEWHERE), signin_touches(w, ms.KEYVAULT_APP)),
        ("after_kv_get", "azure_activity",
         lambda: kv_read(ev, ns_of("2026-11-19T02:41:31.377Z"), payroll, "SecretGet", "bank-sftp-key", OUTSIDE_IP,
                         KV_CLIENT), kv_touch),
    ]
    for name, source, add, touches in steps:
        t_, uid = add()
        ev.mark(name, source, t_, uid, actor="payroll-sync", credential=key_b, touches=touches)


# ---------------------------------------------------------------- writing the evidence
def write_evidence(ev: Evidence, out: Path, story_day: str = "2026-11-18") -> dict[str, int]:
    root = out / "evidence"
    counts: dict[str, int] = {}
    graph = "https://graph.microsoft.com"
    # sign-ins: one Graph beta page file per day; the story day's incident hours were pulled again
    by_day: dict[str, list[JsonObj]] = {}
    for rec in ev.signins:
        by_day.setdefault(rec["createdDateTime"][:10], []).append(rec)
    ctx = f"{graph}/beta/$metadata#auditLogs/signIns"
    for day, recs in sorted(by_day.items()):
        recs.sort(key=lambda r: r["createdDateTime"], reverse=True)
        write_json(root / "entra" / "signins" / f"signIns-{day}.json", ms.graph_page(ctx, recs, None))
    again = [r for r in by_day[story_day] if "T13:" <= r["createdDateTime"][10:14] <= "T14:"]
    skip = ev.w.ids.b64(48, urlsafe=True, pad=False)
    write_json(root / "entra" / "signins" / f"signIns-{story_day}-incident-pull.json", ms.graph_page(
        ctx, again, f"{graph}/beta/auditLogs/signIns?$filter=createdDateTime+ge+{story_day}T13:00:00Z&$skiptoken={skip}"))
    counts["entra_signin"] = len(ev.signins)
    counts["entra_signin_redelivered"] = len(again)
    ctx = f"{graph}/v1.0/$metadata#auditLogs/directoryAudits"
    audits = sorted(ev.audits, key=lambda r: r["activityDateTime"], reverse=True)
    write_json(root / "entra" / "directoryAudits.json", ms.graph_page(ctx, audits, None))
    counts["entra_audit"] = len(audits)
    activity = sorted(ev.activity, key=lambda r: r["eventTimestamp"], reverse=True)
    path = root / "azure" / "activity-log.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(activity, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    counts["azure_activity"] = len(activity)
    n = 0
    for rel, lines in sorted(ev.archives.items()):
        p = root / "azure" / "diagnostics" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(lines.sorted_bytes())
        n += len(lines.items)
    counts["azure_resource_logs"] = n
    for name, lines in (("okta/system_log.jsonl", ev.okta), ("mcp/gateway.jsonl", ev.mcp)):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(lines.sorted_bytes())
        counts[name.split("/")[0]] = len(lines.items)
    spans = 0
    for day, lines in sorted(ev.otel.items()):
        p = root / "otel" / f"traces-{day}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        data = lines.sorted_bytes()
        p.write_bytes(data)
        spans += data.count(b'"spanId"')
    counts["otel_spans"] = spans
    return counts


def write_json(path: Path, obj: JsonObj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(obj) + b"\n")


GENERATED = ("evidence", "inventory.yaml", "incident.yaml", "ground_truth.json", "README.md")


def generate(out_dir: Path | str = DEFAULT_OUT, seed: int = DEFAULT_SEED) -> Path:
    """Write the scenario into `out_dir` (created if needed) and return it."""
    from ._entra_okta_truth import ground_truth, incident_yaml, inventory_yaml, readme

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()) and not (out / "ground_truth.json").is_file():
        raise UsageError(f"{out} is not empty and holds no generated scenario; choose a new folder", path=out)
    for name in GENERATED:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    world = build_world(seed)
    ev = Evidence(world)
    story = build_story(ev)
    background(story)
    counts = write_evidence(ev, out)
    story.vals["duplicates"] = counts["entra_signin_redelivered"]
    gt = ground_truth(story)
    (out / "ground_truth.json").write_text(json.dumps(gt, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "inventory.yaml").write_text(inventory_yaml(world), encoding="utf-8")
    (out / "incident.yaml").write_text(incident_yaml(story), encoding="utf-8")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    (out / "README.md").write_text(readme(story, gt, counts, size, seed), encoding="utf-8")
    return out


if __name__ == "__main__":  # python -m irkit.synth.scenarios.entra_okta_agent [out_dir] [seed]
    import sys

    print(generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT,
                   int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED))
