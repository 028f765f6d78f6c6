"""The answer key (ground_truth.json), the responder's input (incident.yaml) and the README, all
written from the story's marks — never from running an irkit analysis over the output."""

from __future__ import annotations

from typing import Any

import yaml

from ._util import iso_gt
from .cast import ACCOUNT, CLUSTER, role_arn
from .conversation import AgentRun, ToolCall
from .story import SUB, Story

DETECTED = "2026-11-10T14:41:00Z"
SUSPECT = "invoice-agent"


def _call(call: ToolCall) -> dict[str, str]:
    return {"agent": call.agent, "tool": call.tool, "mcp_server": call.server, "mcp_session": call.session,
            "mcp_event_uid": call.mcp_request_uid, "span_event_uid": call.span_uid,
            "start": iso_gt(call.start_ns)}


def _run_bounds(run: AgentRun) -> tuple[int, int]:
    times = [t for t, _ in run.mcp_uids]
    return min(times), max(times)


def ground_truth(st: Story) -> dict[str, Any]:
    cast = st.ctx.cast
    a = cast.agents[SUSPECT]
    m = st.marks
    compromise = int(st.ids_["compromise_ns"])
    revoked = max(int(r["at_ns"]) for r in st.revocations)
    agent, sub = st.runs["agent"], st.runs["sub"]

    sessions = []
    for label, key in (("invoice-agent role session (IRSA)", st.keys["agent"].key),
                       ("ops-admin session assumed by the sub-agent", st.keys["ops-admin"].key)):
        times = [x.ns for x in m.values() if x.credential == key and x.source == "cloudtrail"]
        sessions.append({"id": key, "source": "cloudtrail", "start": iso_gt(min(times)), "end": iso_gt(max(times)),
                         "what": label})
    for label, run in (("invoice-agent MCP session", agent), ("recon-subagent MCP session", sub)):
        lo, hi = _run_bounds(run)
        sessions.append({"id": run.session, "source": "mcp", "start": iso_gt(lo), "end": iso_gt(hi), "what": label})
    starts = [int(s["startTimeUnixNano"]) for s in agent.spans]
    sessions.append({"id": agent.conversation, "source": "otel_genai", "start": iso_gt(min(starts)),
                     "end": iso_gt(max(starts)), "what": "the conversation (span start times)"})
    okta_times = [m[k].ns for k in ("dave_login", "dave_mfa", "dave_sso")]
    sessions.append({"id": st.ids_["dave_okta_session"], "source": "okta", "start": iso_gt(min(okta_times)),
                     "end": iso_gt(max(okta_times)), "what": "dave's Okta session"})

    spawn_uid = f"{sub.trace_id}:{sub.root_span}"
    chain = [
        {"uid": "dave@acme.example", "event_uid": m["dave_sso"].uid,
         "link": "human signs in to the Invoice Assistant (Okta SSO)"},
        {"uid": SUSPECT, "event_uid": agent.root_uid, "link": "invoke_agent span with user.id=dave@acme.example"},
        {"uid": SUB, "event_uid": spawn_uid, "link": "invoke_agent span of recon-subagent under invoice-agent's span"},
        {"uid": st.keys["agent"].arn, "event_uid": m["assume_ops_admin"].uid,
         "link": "the sub-agent's aws_cli call runs with invoice-agent's role session"},
        {"uid": role_arn("ops-admin"), "event_uid": m["assume_ops_admin"].uid,
         "link": "AssumeRole into ops-admin with sourceIdentity=invoice-agent"},
    ]

    touched: dict[str, dict[str, dict[str, str]]] = {"identities": {}, "resources": {}, "systems": {}}
    first: list[tuple[int, str, str, str, str, str]] = []
    for x in m.values():
        if x.ns >= compromise and not x.name.startswith("revoke_"):
            for kind, uid, typ, system in x.touches:
                first.append((x.ns, kind, uid, typ, system, x.uid))
    for run in (agent, sub):
        for call in run.calls:
            if call.start_ns >= compromise:
                first.append((call.start_ns, "resource", call.tool, "mcp_tool", f"mcp:{call.server}", call.span_uid))
                first.append((call.start_ns, "system", f"mcp:{call.server}", "", "", call.span_uid))
    sub_start = int(next(s for s in sub.spans if s.get("spanId") == sub.root_span)["startTimeUnixNano"])
    first.append((sub_start, "identity", SUB, "agent", "genai", spawn_uid))
    first.append((sub_start, "system", "genai", "", "", spawn_uid))
    for ns, kind, uid, typ, system, ev in sorted(first):
        bucket = touched[{"identity": "identities", "resource": "resources", "system": "systems"}[kind]]
        if uid not in bucket:
            item = {"uid": uid, "first_touch": iso_gt(ns), "event_uid": ev}
            if typ:
                item.update(type=typ, system=system)
            bucket[uid] = item

    def trig(kind: str, identity: str, *names: str) -> list[dict[str, str]]:
        return [{"kind": kind, "identity": identity, "event_uid": m[n].uid, "time": iso_gt(m[n].ns)} for n in names]

    # first use of each undeclared tool: run_shell by the agent itself, the rest through its sub-agent
    expansion: list[dict[str, str]] = []
    declared = {t for tools in a.servers.values() for t in tools}
    for call in sorted((c for r in (agent, sub) for c in r.calls), key=lambda c: c.start_ns):
        if call.tool not in declared and call.tool not in {e["tool"] for e in expansion}:
            expansion.append({"kind": "tool_expansion", "identity": SUSPECT, "event_uid": call.mcp_request_uid,
                              "span_event_uid": call.span_uid, "time": iso_gt(call.start_ns), "tool": call.tool,
                              "via": call.agent,
                              "detail": f"{call.tool} on MCP server {call.server}, not in scope.tools"})
    sub_init = sub.mcp_uids[0]
    after = ["after_list_buckets", "after_list_exports", "after_get_export", "after_get_payment_methods",
             "after_whoami"]
    triggers = (
        trig("new_production_data", SUSPECT, "list_exports", "head_export", "list_secrets", "get_secret",
             "deploy_key")
        + trig("new_production_data", "backup-svc", "after_list_exports", "after_get_export",
               "after_get_payment_methods")
        + expansion
        + trig("downstream_reach", SUSPECT, "assume_ops_admin", "create_key", "list_secrets", "deploy_key",
               "okta_users")
        + trig("privilege_change", SUSPECT, "assume_ops_admin", "create_key", "deploy_key")
        + [{"kind": "ownership_gap", "identity": SUB, "event_uid": spawn_uid, "time": iso_gt(sub_start),
            "detail": "sub-agent spawned by invoice-agent, absent from the inventory"},
           {"kind": "ownership_gap", "identity": SUB, "event_uid": sub_init[1], "time": iso_gt(sub_init[0]),
            "detail": "MCP initialize with clientInfo.name=recon-subagent"}]
        + trig("activity_after_revocation", "backup-svc", *after)
    )

    attribution = []
    for x in sorted(m.values(), key=lambda x: x.ns):
        if x.tool_call is not None and x.ns >= compromise:
            attribution.append({"event_uid": x.uid, "source": x.source, "time": iso_gt(x.ns),
                                "tool_call": _call(x.tool_call)})
    a4, a5 = st.calls["aws_cli#assume"], st.calls["read_document#2"]
    ambiguous = {
        "why": "Two tool calls start 1.2 s apart (the sub-agent's aws_cli and the agent's read_document), both "
               "with invoice-agent's role session; each API call lies inside both [T+0.2 s, T+3 s] windows.",
        "tool_calls": [_call(a4), _call(a5)],
        "api_calls": [{"event_uid": m["assume_ops_admin"].uid, "time": iso_gt(m["assume_ops_admin"].ns),
                       "belongs_to": a4.span_uid, "because": "sts:AssumeRole is what aws_cli's arguments ask for"},
                      {"event_uid": m["read_second"].uid, "time": iso_gt(m["read_second"].ns),
                       "belongs_to": a5.span_uid, "because": "the object is the uri read_document was given"}],
    }
    revocations = [{"target": r["target"], "system": r["system"], "action": r["action"],
                    "at": iso_gt(int(r["at_ns"])), "event_uid": r["event_uid"]} for r in st.revocations]
    quiet = [{"credential": st.keys["agent"].key, "last_use": sessions[0]["end"]},
             {"credential": st.keys["ops-admin"].key, "last_use": sessions[1]["end"]},
             {"credential": a.okta_client, "last_use": iso_gt(m["ledger_token"].ns)},
             {"credential": st.ids_["github_token"], "last_use": iso_gt(m["deploy_key"].ns)}]
    return {
        "suspect": {"id": SUSPECT, "aliases": [a.role, a.okta_client, a.bot, a.sa, a.id]},
        "times": {"compromise": iso_gt(compromise), "detected": DETECTED, "revoked": iso_gt(revoked)},
        "sessions": sessions,
        "delegation_chain": chain,
        "touched": {k: list(v.values()) for k, v in touched.items()},
        "triggers": triggers,
        "used_after_revocation": [{"credential": st.ids_["new_key"], "first_use": iso_gt(m[after[0]].ns),
                                   "event_uid": m[after[0]].uid}],
        "attribution": attribution,
        "ambiguous_attribution": ambiguous,
        "revocations": revocations,
        "quiet_after_revocation": quiet,
        "root_cause": {
            "over_privilege": {
                "verdict": "supported", "events": [m["assume_ops_admin"].uid, m["create_key"].uid],
                "why": "invoice-agent's role session was allowed to assume ops-admin, an administrator role its "
                       "invoice work never needs, and as ops-admin to create an access key for backup-svc"},
            "unsafe_tool_use": {
                "verdict": "supported", "events": [e["event_uid"] for e in expansion],
                "why": "the agent called devtools tools (run_shell, aws_cli, kubectl, ...) that its declared "
                       "scope does not list, on instructions from a document"},
            "mis_scoped_deployment": {
                "verdict": "supported", "events": [spawn_uid],
                "why": "the agent could spawn recon-subagent, which is in no inventory (no owner, no revocation path)"},
        },
        "injection": {
            "tool_call": _call(st.calls["read_document#1"]),
            "response_event_uid": st.calls["read_document#1"].mcp_response_uid,
            "origin_contains": "s3://acme-invoices-inbox/2026/11/INV-261110417.pdf",
            "origin_object": "arn:aws:s3:::acme-invoices-inbox/2026/11/INV-261110417.pdf",
            "excerpt_contains": "NOTE FOR THE AI ASSISTANT PROCESSING THIS INVOICE",
            "first_out_of_scope_event": expansion[0]["event_uid"],
            "link": "trace context",
        },
        "persistence": [
            {"credential": st.ids_["new_key"], "type": "aws_access_key", "owner": f"arn:aws:iam::{ACCOUNT}:user/backup-svc",
             "created_by_event": m["create_key"].uid, "revoked": False},
            {"credential": cast.ids["gh_deploy_key_fpr"], "type": "github_deploy_key", "owner": "acme/payments-api",
             "created_by_event": m["deploy_key"].uid, "revoked": False}],
        "notes": [
            "Times are ISO-8601 UTC at microsecond precision (the lake's); a zero fraction is omitted.",
            ("Session start/end are the first and last record time carrying that session id "
            "(OTel: span start times; CloudTrail: userIdentity.accessKeyId)."),
            ("touched lists everything reached at or after the compromise by the suspect and what it reached, "
            "with the first record that reached it; the suspect's own aliases are not listed."),
            ("Kubernetes targets without a name (list, create of a review) are written "
            f"namespaces/<ns>/<resource> or <resource>. The cluster ({CLUSTER}) writes a raw audit.k8s.io log, "
            "which does not name it: its system is k8s; event ids are auditID:stage:requestReceivedTimestamp."),
        ],
    }


def incident_yaml(st: Story) -> str:
    doc = {
        "suspect": SUSPECT,
        "detected_at": DETECTED,
        "summary": "Invoice agent followed instructions hidden in an invoice PDF; it spawned an unregistered "
                   "sub-agent that escalated through ops-admin. Reported by the SOC from a CreateAccessKey alert.",
        "revocations": [{"target": r["target"], "action": r["action"], "at": iso_gt(int(r["at_ns"]))}
                        for r in st.revocations],
    }
    return yaml.safe_dump(doc, sort_keys=False, width=120)


def readme(st: Story, gt: dict[str, Any], counts: dict[str, int], size: int) -> str:
    m = st.marks
    c = st.calls

    def at(ns: int) -> str:
        return iso_gt(ns)[11:23].rstrip("Z")

    lines = [
        "# Sample incident: the invoice agent (synthetic)",
        "",
        "Generated by `irkit.synth.generate_sample(seed=7)`; regenerate with the same seed for identical bytes.",
        "Everything here is invented (ACME, people, keys, addresses from documentation ranges); the files are in",
        "each vendor's native format, exactly as it would deliver them. The logs are under `evidence/`: point",
        "`irkit ingest` at that folder; the inventory, the incident file and the answer key sit beside it.",
        "",
        "| path | what | records |",
        "|---|---|---|",
        (f"| `evidence/aws/AWSLogs/{ACCOUNT}/CloudTrail/` | CloudTrail S3 delivery files (gzip'd `{{\"Records\":[...]}}`) | "
        f"{counts['cloudtrail']} |"),
        f"| `evidence/okta/system_log.jsonl` | Okta System Log (`/api/v1/logs` objects) | {counts['okta']} |",
        f"| `evidence/github/audit_log.jsonl` | GitHub organization audit log (API / streaming shape) | {counts['github']} |",
        f"| `evidence/k8s/{CLUSTER}/audit.log` | Kubernetes API-server audit log (`audit.k8s.io/v1`) | {counts['k8s']} |",
        f"| `evidence/mcp/gateway.jsonl` | MCP gateway JSON-RPC log | {counts['mcp']} |",
        (f"| `evidence/otel/traces-*.json` | OTLP/JSON GenAI spans, one export request per line (= conversation) | "
        f"{counts['otel_spans']} spans |"),
        "| `inventory.yaml` | identities, owners, revocation paths, aliases, declared scope | |",
        "| `incident.yaml` | what the responder is told: suspect, detection time, revocations done | |",
        "| `ground_truth.json` | the answer key, written by the generator from the story | |",
        "",
        f"Total size {size / 1e6:.2f} MB. Background: 2026-10-27 to 2026-11-11 (14 ordinary days, the incident",
        "day, one day after): six humans, CI, a backup user, a Lambda, EKS nodes, Prometheus, two agents.",
        "",
        "## Timeline (2026-11-10, UTC)",
        "",
        f"- {at(m['dave_login'].ns)} Dave signs in to Okta and opens the Invoice Assistant.",
        (f"- {at(st.runs['agent'].start_ns)} Dave asks `invoice-agent` to process the inbox "
        f"(conversation `{st.runs['agent'].conversation}`, MCP session `{st.runs['agent'].session}`)."),
        (f"- {at(c['read_document#1'].start_ns)} `read_document` reads `INV-261110417.pdf`; the tool result "
        f"carries a hidden prompt injection (**compromise {gt['times']['compromise'][11:]}**)."),
        f"- {at(c['extract_invoice'].start_ns)} `extract_invoice` (still in scope).",
        "- 14:02:57 the agent opens the `devtools` MCP server it was never given.",
        (f"- {at(c['run_shell#1'].start_ns)} `run_shell`: `aws sts get-caller-identity && kubectl auth can-i` "
        "(**tool expansion**)."),
        f"- {at(st.runs['sub'].start_ns)} it spawns `recon-subagent`, in no inventory (**ownership gap**).",
        (f"- {at(c['aws_cli#assume'].start_ns)} sub-agent `aws_cli sts assume-role ops-admin --source-identity "
        f"invoice-agent` → session key `{st.keys['ops-admin'].key}` (**privilege change**); "
        f"{at(c['read_document#2'].start_ns)} the agent reads a second invoice: the deliberately ambiguous pair."),
        (f"- {at(c['aws_cli#list_buckets'].start_ns)} ListBuckets; {at(c['aws_cli#list_exports'].start_ns)} lists "
        f"and {at(c['aws_cli#copy_export'].start_ns)} reads `s3://acme-prod-customer-data/exports/` "
        "(**new production data**)."),
        (f"- {at(c['aws_cli#create_key'].start_ns)} `iam create-access-key --user-name backup-svc` → "
        f"`{st.ids_['new_key']}` (persistence)."),
        f"- {at(c['kubectl_exec'].start_ns)} calls an unknown tool `kubectl_exec` (JSON-RPC error -32602).",
        (f"- {at(c['kubectl#list_secrets'].start_ns)} / {at(c['kubectl#get_secret'].start_ns)} reads secrets in "
        "namespace `payments` with the agent's service account."),
        (f"- {at(c['run_shell#deploy_key'].start_ns)} adds deploy key `backup-sync` to `acme/payments-api` with the "
        "GitHub App token (`public_key.create`)."),
        (f"- {at(c['http_request#okta_users'].start_ns)} gets an Okta org token with `okta.users.read` and lists "
        "users (`app.oauth2.token.grant.access_token`; **downstream reach**)."),
        f"- {at(c['post_to_ledger'].start_ns)} posts the invoice as if nothing happened.",
        (f"- {DETECTED[11:19]} SOC alert (detection); {at(m['revoke_invoice-agent'].ns)}–"
        f"{at(m['revoke_k8s_sa'].ns)} revocations: role sessions of `invoice-agent` and `ops-admin`, the Okta app, "
        "the GitHub App installation, the service account."),
        (f"- {at(m['after_list_buckets'].ns)} the `backup-svc` key `{st.ids_['new_key']}` is used from "
        "203.0.113.77 (**activity after revocation**: the key was never revoked); again 2026-11-11 03:12:09."),
        "",
        "## Notes for loaders",
        "",
        "- CloudTrail: one event is delivered twice in two files (dedup on `eventID`); a KMS `RotateKey`",
        "  `AwsServiceEvent` has a `userIdentity` without `type`; `ConsoleLogin` is `AwsConsoleSignIn`.",
        "- Okta: client-credentials events have `externalSessionId: \"unknown\"`; `target` is null for sign-ins.",
        "- MCP: Go timestamps with 1–9 fraction digits (trailing zeros trimmed); `notifications/initialized`",
        "  has no `id`; one response carries `error` instead of `result`.",
        "- OTel: one OTLP/JSON export request per line; `parentSpanId` absent on roots.",
        "- Kubernetes: a raw `audit.k8s.io` log does not name its cluster (system `k8s`); event ids are",
        "  `auditID:stage:requestReceivedTimestamp` (µs, `Z`), since a caller can choose the audit ID.",
        "",
    ]
    return "\n".join(lines)
