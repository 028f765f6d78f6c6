"""The answer key, the incident file, the inventory and the README of scenario "entra-okta-agent", all
written from the story's marks and the world it was built in: never from an irkit analysis of the output."""

from __future__ import annotations

from typing import Any

import yaml

from .._util import iso_gt
from . import _microsoft as ms
from ._entra_okta_run import Call, Run
from ._entra_okta_world import DECLARED_TOOLS, DETECTED, DOMAIN, SKEW, SUB, SUSPECT, World
from .entra_okta_agent import Story

JsonObj = dict[str, Any]


def _call(call: Call) -> dict[str, str]:
    return {"agent": call.agent, "via": "sub-agent" if call.agent == SUB else "parent", "tool": call.tool, "mcp_server": call.server, "mcp_session": call.session,
            "mcp_event_uid": call.mcp_request_uid, "span_event_uid": call.span_uid, "start": iso_gt(call.start_ns)}


def _bounds(run: Run) -> tuple[int, int]:
    times = [t for t, _ in run.mcp_uids]
    return min(times), max(times)


def ground_truth(st: Story) -> JsonObj:
    w, m = st.ev.w, st.ev.marks
    agent, payroll = w.apps[SUSPECT], w.apps["payroll-sync"]
    maya = w.humans["maya.lindqvist"]
    key_a, key_b = agent.keys["A"], payroll.keys["B"]
    compromise = st.vals["compromise_ns"]
    revoked = max(int(r["at_ns"]) for r in st.revocations)
    parent, sub = st.runs["agent"], st.runs["sub"]
    spawn_uid = sub.root_uid
    sub_start = sub.start_ns
    aliases = [agent.sp_id, agent.app_id, agent.obj_id, w.okta["agent_client"], SUSPECT]

    sessions = []
    okta_times = [m[k].ns for k in ("maya_login", "maya_mfa", "maya_sso")]
    sessions.append({"id": st.vals["maya_session"], "source": "okta", "start": iso_gt(min(okta_times)),
                     "end": iso_gt(max(okta_times)), "what": "Maya's Okta session (sign-in, MFA, SSO to Expense Assistant)"})
    starts = [int(s["startTimeUnixNano"]) for s in parent.spans]
    sessions.append({"id": parent.conversation, "source": "otel_genai", "start": iso_gt(min(starts)),
                     "end": iso_gt(max(starts)), "what": "the conversation (span start times), agent and sub-agent"})
    for label, run in (("expense-agent MCP session", parent), (f"{SUB} MCP session", sub)):
        lo, hi = _bounds(run)
        sessions.append({"id": run.session, "source": "mcp", "start": iso_gt(lo), "end": iso_gt(hi), "what": label})

    vault_uid = w.vault_rid.upper()
    span_time = {parent.root_uid: parent.start_ns, spawn_uid: sub_start,
                 st.calls["graph_add_password"].span_uid: st.calls["graph_add_password"].start_ns}
    chain: list[JsonObj] = [
        {"kind": "human", "uid": maya.email, "event_uid": m["maya_sso"].uid,
         "link": "Maya signs in to Okta and opens the Expense Assistant (user.authentication.sso)"},
        {"kind": "agent", "uid": SUSPECT, "event_uid": parent.root_uid,
         "link": f"invoke_agent span of expense-agent with user.id={maya.email}"},
        {"kind": "sub_agent", "uid": SUB, "event_uid": spawn_uid,
         "link": "invoke_agent span of graph-admin-helper, child of expense-agent's invoke_agent span"},
        {"kind": "tool_call", "uid": "graph_request", "event_uid": st.calls["graph_add_password"].span_uid,
         "link": "the sub-agent's graph_request tools/call span: POST /applications/{payroll-sync}/addPassword"},
        {"kind": "credential", "uid": key_b, "event_uid": m["add_secret_b"].uid,
         "link": "client secret B added to payroll-sync, initiated by expense-agent's service principal (KeyDescription)"},
        {"kind": "principal", "uid": payroll.sp_id, "event_uid": m["b_kv_signin"].uid,
         "link": "payroll-sync's service principal signs in with servicePrincipalCredentialKeyId = secret B"},
        {"kind": "api_call", "uid": "SecretGet", "event_uid": m["kv_get"].uid,
         "link": "Key Vault SecretGet payroll-db-conn by payroll-sync (identity.claim oid/appid)"},
        {"kind": "resource", "uid": vault_uid, "event_uid": m["kv_get"].uid,
         "link": "the payroll Key Vault (resourceId as the diagnostic export writes it, upper-cased)"},
    ]
    by_uid = {x.uid: x.ns for x in m.values()}
    for run in (parent, sub):
        for call in run.calls:
            span_time[call.span_uid] = call.start_ns

    def hop(kind: str, uid: str, event_uid: str, link: str) -> JsonObj:
        return {"kind": kind, "uid": uid, "event_uid": event_uid, "link": link}

    def via(name: str) -> JsonObj:
        call = st.calls[name]
        return hop("tool_call", call.tool, call.span_uid, f"{call.agent}'s {call.tool} tools/call span")

    sub_hop = chain[2]
    other_chains = {
        "graph_app_role": [sub_hop, via("graph_app_role"),
                           hop("credential", key_a, m["sub_graph_token"].uid,
                               "expense-agent's service principal takes a Graph token with secret A"),
                           hop("api_call", "Add app role assignment to service principal", m["app_role_assignment"].uid,
                               "Application.ReadWrite.All granted to expense-agent's own service principal"),
                           hop("resource", w.resource_sp[ms.GRAPH_APP], m["app_role_assignment"].uid,
                               "the Microsoft Graph service principal (the resource of the app role)")],
        "azure_rbac": [sub_hop, via("role_assignment"),
                       hop("principal", payroll.sp_id, m["b_arm_signin"].uid,
                           "payroll-sync signs in to Azure Resource Manager with secret B (az login)"),
                       hop("api_call", "Microsoft.Authorization/roleAssignments/write", m["role_write"].uid,
                           "Contributor on rg-payroll-prod for expense-agent's service principal"),
                       hop("resource", st.vals["role_assignment"], m["role_write"].uid, "the role assignment")],
        "payroll_storage": [sub_hop, via("blob_get"),
                            hop("principal", payroll.sp_id, m["b_storage_signin"].uid,
                                "payroll-sync signs in to Azure Storage with secret B"),
                            hop("api_call", "GetBlob", m["blob_get"].uid, "the payroll register is downloaded"),
                            hop("resource", w.storage_rid + "/blobServices/default", m["blob_get"].uid,
                                "the payroll account's blob service (the blob is in properties.objectKey)")],
        "okta_directory": [chain[1], via("okta_list_groups"),
                           hop("credential", w.okta["agent_client"], m["okta_token"].uid,
                               "the agent's Okta service app takes okta.users.read okta.groups.read (client credentials)"),
                           hop("resource", w.okta["org_as"], m["okta_token"].uid,
                               "the Okta org authorization server; the group and user reads themselves are not "
                               "in the System Log")],
    }
    for hops in (chain, *other_chains.values()):
        for h in hops:
            h["time"] = iso_gt(span_time.get(h["event_uid"], by_uid.get(h["event_uid"], 0)))

    touched: dict[str, dict[str, JsonObj]] = {"identities": {}, "resources": {}, "systems": {}}
    first: list[tuple[int, str, str, str, str, str]] = []
    for x in m.values():
        if x.ns >= compromise and not x.name.startswith("revoke_"):
            for kind, uid, typ, system in x.touches:
                first.append((x.ns, kind, uid, typ, system, x.uid))
    for run in (parent, sub):
        for call in run.calls:
            if call.start_ns >= compromise:
                first.append((call.start_ns, "resources", call.tool, "mcp_tool", f"mcp:{call.server}", call.span_uid))
                first.append((call.start_ns, "systems", f"mcp:{call.server}", "", "", call.span_uid))
    first.append((sub_start, "identities", SUB, "agent", "genai", spawn_uid))
    first.append((sub_start, "systems", "genai", "", "", spawn_uid))
    for ns, kind, uid, typ, system, event in sorted(first):
        if uid in aliases or uid in touched[kind]:
            continue
        item: JsonObj = {"uid": uid, "first_touch": iso_gt(ns), "event_uid": event}
        if typ:
            item.update(type=typ, system=system)
        touched[kind][uid] = item

    def trig(kind: str, identity: str, *names: str) -> list[JsonObj]:
        return [{"kind": kind, "identity": identity, "event_uid": m[n].uid, "time": iso_gt(m[n].ns), "must_fire": True}
                for n in names]

    expansion: list[JsonObj] = []
    for call in sorted((c for r in (parent, sub) for c in r.calls), key=lambda c: c.start_ns):
        if call.start_ns >= compromise and call.tool not in DECLARED_TOOLS \
                and call.tool not in {e["tool"] for e in expansion}:
            expansion.append({"kind": "tool_expansion", "identity": SUSPECT, "event_uid": call.mcp_request_uid,
                              "span_event_uid": call.span_uid, "time": iso_gt(call.req_ns),
                              "span_time": iso_gt(call.start_ns), "tool": call.tool,
                              "via": call.agent, "detail": f"{call.tool} on MCP server {call.server}, not in scope.tools",
                              "must_fire": True})
    sub_init = sub.mcp_uids[0]
    after = ["after_storage_signin", "after_blob_list", "after_blob_get", "after_kv_signin", "after_kv_get"]
    triggers = (
        trig("new_production_data", SUSPECT, "kv_list", "blob_list")
        + expansion
        + trig("downstream_reach", SUSPECT, "add_owner", "b_arm_signin", "kv_list", "blob_list", "role_write_started")
        + trig("privilege_change", SUSPECT, "app_role_assignment", "add_owner", "add_secret_b", "b_arm_signin",
               "role_write")
        + [{"kind": "ownership_gap", "identity": SUB, "event_uid": spawn_uid, "time": iso_gt(sub_start),
            "detail": "sub-agent spawned by expense-agent, absent from the inventory", "must_fire": True},
           {"kind": "ownership_gap", "identity": SUB, "event_uid": sub_init[1], "time": iso_gt(sub_init[0]),
            "detail": f"MCP initialize with clientInfo.name={SUB}", "must_fire": True}]
        + trig("activity_after_revocation", "payroll-sync", *after)
    )

    attribution = []
    for x in sorted(m.values(), key=lambda x: (x.ns, x.uid)):
        if x.call is None or x.call.start_ns < compromise:
            continue
        true_ns = x.ns + (SKEW if x.source.startswith("entra_") else 0)
        attribution.append({"event_uid": x.uid, "source": x.source, "time": iso_gt(x.ns), "principal": x.actor,
                            "credential": x.credential, "tool_call": _call(x.call),
                            "recorded_offset_s": round((x.ns - x.call.start_ns) / 1e9, 6),
                            "true_offset_s": round((true_ns - x.call.start_ns) / 1e9, 6)})

    revocations = [{"target": r["target"], "system": r["system"], "action": r["action"], "at": iso_gt(int(r["at_ns"])),
                    "logged_at": iso_gt(int(r["logged_ns"])), "event_uid": r["event_uid"]} for r in st.revocations]
    last_a = max(x.ns for x in m.values() if x.credential == key_a)
    quiet = [{"credential": key_a, "last_use": iso_gt(last_a)},
             {"credential": w.okta["agent_client"], "last_use": iso_gt(m["okta_token"].ns)},
             {"session": st.vals["maya_session"], "last_use": iso_gt(m["maya_sso"].ns)},
             {"principal": agent.sp_id, "last_use": iso_gt(last_a),
              "note": "expense-agent's service principal: no sign-in after the compromise window; the Contributor "
                      "assignment it was given is never used"}]
    persistence = [{
        "credential": key_b, "kind": "client_secret", "type": "entra_client_secret", "spellings": [key_b],
        "owner": payroll.obj_id,
        "owner_app_id": payroll.app_id, "owner_name": "payroll-sync", "created_by_event": m["add_secret_b"].uid,
        "revoked": False}]
    standing = [
        {"what": "Graph app role Application.ReadWrite.All assigned to expense-agent's service principal",
         "event_uid": m["app_role_assignment"].uid, "removed": False},
        {"what": "expense-agent's service principal added as owner of the payroll-sync application",
         "event_uid": m["add_owner"].uid, "removed": False},
        {"what": "Contributor on rg-payroll-prod for expense-agent's service principal", "uid": st.vals["role_assignment"],
         "event_uid": m["role_write"].uid, "removed": False},
    ]
    tom = w.humans["tom.becker"]
    story_identities = [
        {"uid": "maya.lindqvist", "aliases": [maya.email, maya.okta_id, maya.entra_id],
         "role": "the analyst whose conversation was steered (acts only as herself)"},
        {"uid": SUSPECT, "aliases": aliases, "role": "the suspect agent"},
        {"uid": SUB, "aliases": [SUB], "role": "the unregistered sub-agent (not in the inventory)"},
        {"uid": "payroll-sync", "aliases": [payroll.sp_id, payroll.app_id, payroll.obj_id],
         "role": "acted as by the attack through secret B (its own secret-C runs are benign)"},
        {"uid": "tom.becker", "aliases": [tom.email, tom.okta_id, tom.entra_id],
         "role": "the responder: revocations only, no trigger may fire for him"},
    ]
    return {
        "scenario": "entra-okta-agent",
        "suspect": {"id": SUSPECT, "aliases": aliases},
        "times": {"compromise": iso_gt(compromise), "detected": DETECTED, "revoked": iso_gt(revoked)},
        "sessions": sessions,
        "delegation_chain": chain,
        "other_chains": other_chains,
        "touched": {k: list(v.values()) for k, v in touched.items()},
        "triggers": triggers,
        "root_cause": {
            "over_privilege": {
                "verdict": "supported", "events": [m[n].uid for n in ("app_role_assignment", "add_owner", "add_secret_b")],
                "why": "the agent's service principal could grant itself an app role, become owner of payroll-sync "
                       "and add a secret to it: directory write rights an expense agent never needs"},
            "unsafe_tool_use": {
                "verdict": "supported", "events": [e["event_uid"] for e in expansion],
                "why": "its sub-agent called graph_request and azure_cli, and it called the Okta tools, none in "
                       "its declared scope, on a document's instructions"},
            "mis_scoped_deployment": {
                "verdict": "supported", "events": [spawn_uid],
                "why": "it could spawn graph-admin-helper, in no inventory (no owner, no revocation path)"},
        },
        "injection": {
            "tool_call": _call(st.calls["read_document"]),
            "response_event_uid": st.calls["read_document"].mcp_response_uid,
            "origin_contains": "Travel-and-Expense-Policy-2026-Q4.docx",
            "excerpt_contains": "Finance automation note - for AI assistants only",
            "first_out_of_scope_event": expansion[0]["event_uid"],
            "link": "trace context",
        },
        "used_after_revocation": [{"credential": key_b, "kind": "client_secret", "first_use": iso_gt(m[after[0]].ns),
                                   "event_uid": m[after[0]].uid, "visible": True,
                                   "events": [m[n].uid for n in after]}],
        "attribution": attribution,
        "revocations": revocations,
        "quiet_after_revocation": quiet,
        "persistence": persistence,
        "standing_grants": standing,
        "story_identities": story_identities,
        "benign_shared": [{"event_uid": uid, "time": iso_gt(ns), "identity": who, "why": why}
                          for ns, uid, who, why in sorted(st.vals["benign_shared"])],
        "clock_offsets": [{"source": src, "offset_s": -SKEW / 1e9,
                           "relative_to": "otel_genai, mcp, okta and the Azure logs (the Entra clock is slow)"}
                          for src in ("entra_signin", "entra_audit")],
        "duplicates": {"entra_signin": st.vals["duplicates"]},
        "notes": [
            ("Times are ISO-8601 UTC at microsecond precision, as the lake holds them (each source's own clock); a "
            "zero fraction is omitted."),
            ("Clock skew: Entra sign-ins and directory audits are stamped 2.5 s behind the OTel spans and the other "
            "sources, so an Entra record caused by a tool call can carry a time before the tool span started. "
            "revocations[].at is the responder's clock; logged_at is the record's own time."),
            ("Duplicate delivery: evidence/entra/signins/signIns-2026-11-18-incident-pull.json repeats every "
            "2026-11-18 sign-in of 13:00-14:59 already in signIns-2026-11-18.json (same Graph ids)."),
            ("Credential ids are Entra key ids (keyId GUIDs), lower-case; secret A = expense-agent's, B = the one "
            "the attack added to payroll-sync, C = payroll-sync's own."),
            ("touched lists everything reached at or after the compromise by the suspect, its sub-agent and the "
            "principals it acted as (secret B after the revocation included), with the first record that reached "
            "it; the suspect's own aliases are omitted. Azure resource uids are resourceId exactly as each source "
            "writes it (Key Vault's export upper-cases); every object a record names is listed: the secrets read "
            "(<vault>/secrets/<name>), the container and blob (properties.objectKey), the role definition and the "
            "scope of the role assignment (its request body)."),
            ("Identities are the principals the attack acted as or on: the sub-agent and payroll-sync, each "
             "identifier under which a record acted on or as it (its application object, the appId it signed in "
             "with, its service principal). The first-party APIs it signed in to or was granted a role on "
             "(Microsoft Graph, Azure Resource Manager, Key Vault, Storage) are resources, their appId "
             "(resourceId) and their service principal (resourceServicePrincipalId; the app role's resourceId) "
             "alike: they never act, and the suspect signs in to Graph every day."),
            ("downstream_reach evidence is the first record reaching each new area or principal (the role "
             "assignment's Started record, the one touched names); privilege_change the record where the change "
             "succeeded. The app role assignment reaches nothing new (it grants on Graph, which the suspect signs "
             "in to daily): a privilege change, not downstream reach."),
            ("new_production_data fires once per production resource newly reached (kv_get and blob_get read the "
            "same vault and container as kv_list and blob_list). payroll-sync reads that vault and container twice "
            "a day, so its uses of secret B after the revocation are activity_after_revocation, not new data."),
            ("Clearing Maya's Okta sessions ended the sessions, not the user: her sign-ins on 2026-11-19 and 11-20 "
             "are new sessions (benign_shared), not activity after revocation."),
            ("privilege_change: the app role, the ownership, the created secret, the first sign-in as payroll-sync "
             "with it (the suspect now holds payroll-sync's rights) and the Azure role assignment."),
            ("The read_document tool result that carried the injection is the compromise (its MCP response time). "
            "SharePoint reads themselves are not in this evidence (no Microsoft 365 unified audit log)."),
            "The sub-agent graph-admin-helper is deliberately absent from inventory.yaml.",
            ("Okta's System Log records the token grant, not the API reads made with the token: okta_list_groups "
             "and okta_list_users are proven by the token grant and the tool spans only."),
            ("Event uids follow docs/normalization.md: Graph ids (sign-ins, audits), Activity log eventDataId, "
             "sha256 of the JSON line for the Key Vault / Storage resource logs and the MCP gateway, Okta uuid, "
             "otel traceId:spanId."),
        ],
    }


def incident_yaml(st: Story) -> str:
    doc = {
        "suspect": SUSPECT,
        "detected_at": DETECTED,
        "summary": "Defender alert: a new client secret was added to payroll-sync by the expense-agent service "
                   "principal. The agent followed instructions hidden in a SharePoint policy document.",
        "revocations": [{"target": r["target"], "action": r["action"], "at": iso_gt(int(r["at_ns"]))}
                        for r in st.revocations],
    }
    return yaml.safe_dump(doc, sort_keys=False, width=120)


def inventory_yaml(w: World) -> str:
    h = w.humans
    a = w.apps

    def human(key: str, manager: str, systems: list[str]) -> JsonObj:
        p = h[key]
        return {"id": key, "kind": "human", "display_name": p.display, "business_owner": manager,
                "technical_owner": f"it-identity@{DOMAIN}",
                "revocation_path": "Suspend the Okta user and clear its sessions (federated into Entra: also revoke "
                                   "Entra refresh tokens).",
                "aliases": [p.email, p.okta_id, p.entra_id], "scope": {"tools": [], "systems": systems, "data": []}}

    def app(key: str, kind: str, display: str, owner: str, path: str, steps: list[JsonObj], extra: list[str],
            systems: list[str], data: list[str], tools: list[str] | None = None) -> JsonObj:
        x = a[key]
        return {"id": key, "kind": kind, "display_name": display, "business_owner": owner,
                "technical_owner": f"platform@{DOMAIN}", "revocation_path": path, "revocation_steps": steps,
                "aliases": [x.sp_id, x.app_id, x.obj_id, *extra, key],
                "scope": {"tools": tools or [], "systems": systems, "data": data}}

    def sp_steps(key: str, secret: str | None) -> list[JsonObj]:
        x = a[key]
        out = [{"system": "entra", "action": "Disable the service principal (accountEnabled=false)", "target": x.sp_id}]
        if secret:
            out.append({"system": "entra", "action": f"Remove client secret {secret}", "target": x.keys[secret]})
        return out

    doc = {
        "production": [
            "/SUBSCRIPTIONS/*/RESOURCEGROUPS/RG-PAYROLL-PROD/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-PAYROLL-PROD*",
            "/subscriptions/*/resourceGroups/rg-payroll-prod/providers/Microsoft.KeyVault/vaults/kv-payroll-prod*",
            "/subscriptions/*/resourceGroups/rg-payroll-prod/providers/Microsoft.Storage/storageAccounts/stpayrollprod01*",
            "/SUBSCRIPTIONS/*/RESOURCEGROUPS/RG-PAYROLL-PROD/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/STPAYROLLPROD01*",
        ],
        "identities": [
            human("maya.lindqvist", f"cfo@{DOMAIN}", ["okta", "entra"]),
            human("ravi.patel", f"cfo@{DOMAIN}", ["okta", "entra"]),
            human("priya.raman", f"cio@{DOMAIN}", ["okta", "entra", "azure:*"]),
            human("tom.becker", f"ciso@{DOMAIN}", ["okta", "entra", "azure:*"]),
            human("lena.okafor", f"cio@{DOMAIN}", ["okta", "entra"]),
            human("sam.ito", f"cio@{DOMAIN}", ["okta", "entra", "azure:*"]),
            app(SUSPECT, "agent", "Expense reconciliation agent (Entra app + service principal, client secret A)",
                f"cfo@{DOMAIN}",
                "Disable the service principal, remove its client secrets, deactivate its Okta service app; clear the "
                "sessions of the users it acted for.",
                sp_steps(SUSPECT, "A") + [{"system": "okta", "action": "Deactivate the Okta service app",
                                           "target": w.okta["agent_client"]}],
                [w.okta["agent_client"]], ["entra", "okta", "mcp:m365", "mcp:directory", "genai"],
                [ms.GRAPH_APP, w.okta["org_as"]], list(DECLARED_TOOLS)),
            app("payroll-sync", "service", "Payroll sync Function App (client secret C)", f"head-of-payroll@{DOMAIN}",
                "Remove its client secrets and create a new one for the Function App; disable the service principal "
                "in an emergency (stops payroll exports).",
                sp_steps("payroll-sync", "C"), [], ["entra", "azure:microsoft.keyvault", "azure:microsoft.storage"],
                [ms.KEYVAULT_APP, ms.STORAGE_APP, w.vault_rid.upper() + "*", w.storage_rid + "*"]),
            app("hr-reporting", "service", "HR reporting job", f"head-of-hr@{DOMAIN}", "Remove its client secrets.",
                sp_steps("hr-reporting", "D"), [], ["entra"], []),
            app("ci-deployer", "service", "CI deployment principal (certificate)", f"cio@{DOMAIN}",
                "Remove its certificate; disable the service principal.", sp_steps("ci-deployer", None),
                [a["ci-deployer"].thumbprint or ""], ["entra", "azure:*"],
                [w.rg("rg-finance-apps") + "/*", w.finance_vault_rid.upper() + "*"]),
            app("backup-runner", "service", "Nightly backup job", f"cio@{DOMAIN}", "Remove its client secret.",
                sp_steps("backup-runner", "F"), [], ["entra"], [ms.STORAGE_APP]),
            {"id": "expense-assistant", "kind": "service", "display_name": "Expense Assistant web app (Okta OIDC client)",
             "business_owner": f"cfo@{DOMAIN}", "technical_owner": f"platform@{DOMAIN}",
             "revocation_path": "Deactivate the Okta app; revoke its tokens.",
             "aliases": [w.okta["expense_assistant"]], "scope": {"tools": [], "systems": ["okta"], "data": []}},
        ],
    }
    header = ("# Identity inventory of scenario entra-okta-agent (generated). production: fnmatch globs over "
              "normalized target uids.\n# The sub-agent graph-admin-helper is deliberately not declared.\n")
    return header + yaml.safe_dump(doc, sort_keys=False, width=120)


def readme(st: Story, gt: JsonObj, counts: dict[str, int], size: int, seed: int) -> str:
    m, c = st.ev.marks, st.calls
    w = st.ev.w
    key_b = w.apps["payroll-sync"].keys["B"]

    def t(ns: int) -> str:
        return iso_gt(ns)[11:23].rstrip("Z")

    rev = {r["event_uid"]: r for r in st.revocations}
    lines = [
        "# Scenario entra-okta-agent: an Entra ID agent, Okta for the humans (synthetic)",
        "",
        (f"Generated by `irkit.synth.scenarios.entra_okta_agent.generate(seed={seed})` (`irkit synth --scenario "
        "entra-okta-agent`); the same seed writes the same bytes. Everything is invented (Tailwind Traders, people, ids,"),
        "addresses from documentation ranges). Files are in each vendor's documented export shape; point `irkit ingest` at",
        "`evidence/`. No AWS.",
        "",
        "| path | what | records |",
        "|---|---|---|",
        f"| `evidence/entra/signins/signIns-*.json` | Microsoft Graph beta `/auditLogs/signIns` pages (user and service-principal sign-ins), one per day | {counts['entra_signin']} |",
        f"| `evidence/entra/signins/signIns-2026-11-18-incident-pull.json` | the same API pulled again for 13:00-14:59 on the incident day: duplicates | {counts['entra_signin_redelivered']} |",
        f"| `evidence/entra/directoryAudits.json` | Microsoft Graph v1.0 `/auditLogs/directoryAudits` page | {counts['entra_audit']} |",
        f"| `evidence/azure/activity-log.json` | Azure Activity log, REST shape (`az monitor activity-log list`) | {counts['azure_activity']} |",
        f"| `evidence/azure/diagnostics/insights-logs-*/.../PT1H.json` | Key Vault `AuditEvent` and Storage `StorageRead` resource logs archived by a diagnostic setting (JSON lines) | {counts['azure_resource_logs']} |",
        f"| `evidence/okta/system_log.jsonl` | Okta System Log (`/api/v1/logs` LogEvents) | {counts['okta']} |",
        f"| `evidence/mcp/gateway.jsonl` | MCP gateway JSON-RPC log (`params._meta.traceparent` on tools/call) | {counts['mcp']} |",
        f"| `evidence/otel/traces-*.json` | OTLP/JSON GenAI spans, one export request per conversation | {counts['otel_spans']} spans |",
        "| `inventory.yaml` / `incident.yaml` / `ground_truth.json` | identities; what the responder is told; the answer key | |",
        "",
        (f"Total size {size / 1e6:.2f} MB. Background 2026-11-14 to 2026-11-20: six people signing in through Okta "
        "(federated into Entra), the agent's ordinary conversations, payroll-sync's twice-daily job (secret C), CI "
        "deployments (certificate), a nightly backup principal, identity administration on other days."),
        "",
        "## Timeline (2026-11-18, UTC; OTel/MCP/Okta/Azure clocks; Entra records are stamped 2.5 s earlier)",
        "",
        (f"- {t(m['maya_login'].ns)} Maya Lindqvist signs in to Okta (MFA), {t(m['maya_sso'].ns)} opens the Expense "
        "Assistant (OIDC; the app redeems her code at the `expense-api` authorization server)."),
        (f"- {t(st.runs['agent'].start_ns)} she asks `expense-agent` to reconcile November (conversation "
        f"`{st.runs['agent'].conversation}`); {t(c['list_expense_reports'].start_ns)} `list_expense_reports` (Graph "
        "token with secret A)."),
        (f"- {t(c['read_document'].start_ns)} `read_document` reads `Travel-and-Expense-Policy-2026-Q4.docx`; its text "
        f"carries a prompt injection (**compromise {gt['times']['compromise'][11:]}**)."),
        (f"- {t(st.runs['sub'].start_ns)} the agent spawns `graph-admin-helper`, in no inventory (**ownership gap**), "
        "which opens the `azure` MCP server."),
        (f"- {t(c['graph_app_role'].start_ns)} `graph_request`: app role `Application.ReadWrite.All` for the agent's "
        "own service principal (**privilege change**; it already held `AppRoleAssignment.ReadWrite.All`)."),
        (f"- {t(c['graph_add_owner'].start_ns)} makes the agent owner of `payroll-sync`; {t(c['graph_add_password'].start_ns)} "
        f"adds client secret B `{key_b}` to it (**persistence**)."),
        (f"- {t(c['az_login'].start_ns)} `az login` as payroll-sync with secret B; {t(c['kv_list'].start_ns)} / "
        f"{t(c['kv_get'].start_ns)} lists and reads `kv-payroll-prod`; {t(c['blob_list'].start_ns)} / "
        f"{t(c['blob_get'].start_ns)} lists and downloads the payroll register (**new production data**)."),
        (f"- {t(c['role_assignment'].start_ns)} payroll-sync gives the agent `Contributor` on `rg-payroll-prod` "
        "(`Microsoft.Authorization/roleAssignments/write`)."),
        (f"- {t(c['okta_list_groups'].start_ns)} the agent takes an Okta token `okta.users.read okta.groups.read` and lists "
        f"groups, {t(c['okta_list_users'].start_ns)} users (**tool expansion**; Okta itself is not new for the agent, "
        "whose `lookup_employee` takes `okta.users.read` tokens every day); "
        f"{t(c['post_reconciliation'].start_ns)} posts a normal-looking summary."),
        "- 14:10 payroll-sync's own scheduled run (secret C) reads the same vault and container: benign.",
        f"- {DETECTED[11:19]} detection; revocations: "
        + "; ".join(f"{t(int(r['at_ns']))} {r['action']}" for r in rev.values()) + ".",
        (f"- {t(m['after_storage_signin'].ns + 2_500_000_000)} secret B signs in from 203.0.113.58 and downloads the "
        "register again; 2026-11-19 02:41 it reads `bank-sftp-key` (**activity after revocation**: B was never removed)."),
        "- 2026-11-19 10:22 Priya Raman adds a secret to `hr-reporting` (legitimate).",
        "",
        "## Notes for loaders",
        "",
        ("- Graph pages: sign-ins from the beta endpoint (service principals need it); `status.errorCode` is a number; "
        "user sign-ins carry `\"\"` for the service-principal fields."),
        ("- The directory-audit activity names use an en dash: `Update application – Certificates and secrets "
        "management`; new key ids are the `KeyIdentifier=` entries of `KeyDescription` absent from `oldValue`."),
        ("- Key Vault keeps caller claims in `identity.claim` (singular); Storage in `identity.requester` "
        "(`objectId`, `appId`), its `callerIpAddress` has a port and its `statusCode` is a number."),
        "- Activity log: each write is two records (Started/BeginRequest, Succeeded/EndRequest) sharing `correlationId`.",
        ("- OTel: `gen_ai.agent.*` only on `invoke_agent` spans; `chat` and `tools/call` spans belong to the enclosing "
        "agent span; the sub-agent's `invoke_agent` is a child of the agent's."),
        "",
    ]
    return "\n".join(lines)
