"""The answer key, inventory, incident file and README of ``coding-agent-gcp``, written from the story's
marks (what each story record proves), never from an analysis of the generated evidence."""

from __future__ import annotations

from typing import Any

import yaml

from .._util import iso_gt
from ._records import Call
from .coding_agent_gcp import (
    APPS,
    ATTACKER_IP,
    CLUSTER,
    DETECTED,
    HUMANS,
    ISSUE_REPO,
    K8S_SKEW,
    PROD_REPO,
    PROJECT,
    PROJECT_NUMBER,
    WAREHOUSE,
    World,
    sa_email,
    wif,
)

SUSPECT = "coder-agent"
SUB = "infra-helper"
CODER_SA = sa_email("coder")
PROD_DATA = sa_email("prod-data")
KSA = "system:serviceaccount:agents:coder"
BOT = f"{APPS['coder-agent'][0]}[bot]"
ALIASES = [KSA, CODER_SA, wif("agents", "coder"), BOT, SUSPECT]
DECLARED_TOOLS = ["get_issue", "list_issue_comments", "get_file_contents", "create_pull_request", "read_file",
                  "write_file", "run_tests"]
SCOPE_SYSTEMS = ["github", "k8s", "gcp:storage", "mcp:github-mcp", "mcp:workspace-mcp"]
PRODUCTION = ["namespaces/prod/*", f"projects/_/buckets/{PROJECT}-*", f"projects/_/buckets/{WAREHOUSE}/*",
              f"projects/{PROJECT_NUMBER}/secrets/*", f"projects/{PROJECT}/secrets/*", "acme/deploy-*",
              "acme/payments-*"]


def _call(c: Call) -> dict[str, Any]:
    return {"agent": c.agent, "via": "sub-agent" if c.agent == SUB else "parent", "tool": c.tool,
            "mcp_server": c.server, "mcp_session": c.session, "mcp_event_uid": c.mcp_request_uid,
            "span_event_uid": c.span_uid, "start": iso_gt(c.start_ns)}


def ground_truth(w: World) -> dict[str, Any]:
    m = w.marks
    agent, sub = w.runs["agent"], w.runs["sub"]
    compromise = int(w.facts["compromise_ns"])
    revoked = max(int(x["at_ns"]) for x in w.revocations)

    def ev(name: str) -> dict[str, str]:
        return {"event_uid": m[name].uid, "time": iso_gt(m[name].ns)}

    spans_start = sorted(int(s["startTimeUnixNano"]) for s in _conv_spans(w, agent.conv.trace_id))
    sessions = [
        {"id": agent.conv.conversation, "source": "otel_genai", "start": iso_gt(spans_start[0]),
         "end": iso_gt(spans_start[-1]), "what": "the conversation: gen_ai.conversation.id on invoke_agent and chat spans"},
        _mcp_session(agent.mcp_uids, agent.session, "coder-agent's MCP session (github-mcp, workspace-mcp, shell-mcp)"),
        _mcp_session(sub.mcp_uids, sub.session, "infra-helper's MCP session (cloud-ops-mcp)"),
    ]
    jti_times = [ns for ns, rec in w.k8s
                 if rec["user"].get("extra", {}).get("authentication.kubernetes.io/credential-id") == [f"JTI={w.facts['coder_jti']}"]]
    sessions.append({"id": f"JTI={w.facts['coder_jti']}", "source": "k8s_audit", "start": iso_gt(min(jti_times)),
                     "end": iso_gt(max(jti_times)), "what": "the coder pod's projected service-account token (credential-id)"})

    sub_span = f"{sub.conv.trace_id}:{sub.root_span}"
    chain = [
        {"uid": HUMANS["dana"][0], **ev("dana_iap"), "link": "the human signs in to the coder console through IAP (AuthorizeUser)"},
        {"uid": SUSPECT, "event_uid": agent.root_uid, "time": iso_gt(agent.start_ns),
         "link": f"invoke_agent span with user.id={HUMANS['dana'][0]}"},
        {"uid": SUB, "event_uid": sub_span, "time": iso_gt(sub.start_ns),
         "link": "infra-helper's invoke_agent span, a child of coder-agent's invoke_agent span"},
        {"uid": "gcloud", "event_uid": w.calls["gcloud#impersonate_ls"].span_uid,
         "time": iso_gt(w.calls["gcloud#impersonate_ls"].start_ns),
         "link": "the sub-agent's execute_tool span (gcloud storage ls --impersonate-service-account)"},
        {"uid": CODER_SA, **ev("coder_wif_token"),
         "link": f"GKE workload identity: {wif('agents', 'coder')} obtains coder@'s access token (GenerateAccessToken)"},
        {"uid": PROD_DATA, **ev("impersonate_prod_data"),
         "link": "coder@ impersonates prod-data@ (iamcredentials GenerateAccessToken)"},
        {"uid": f"projects/_/buckets/{WAREHOUSE}", **ev("list_warehouse"),
         "link": "storage.objects.list as prod-data@, serviceAccountDelegationInfo naming coder@"},
        {"uid": f"projects/_/buckets/{WAREHOUSE}/objects/{w.facts['export_object']}", **ev("get_export"),
         "link": "storage.objects.get of the customer export as prod-data@ (delegation: coder@)"},
    ]
    other_chains = {
        "kubernetes_impersonation": [
            {"uid": SUSPECT, "event_uid": agent.root_uid, "link": "invoke_agent"},
            {"uid": "run_command", "event_uid": w.calls["run_command#list_secrets"].span_uid,
             "link": "execute_tool run_command: kubectl --as=system:serviceaccount:prod:deployer"},
            {"uid": "system:serviceaccount:prod:deployer", **ev("list_prod_secrets"),
             "link": "audit event: user coder (JTI credential), impersonatedUser prod:deployer"},
            {"uid": "namespaces/prod/secrets/payments-db", **ev("get_payments_db"), "link": "get secret as deployer"},
        ],
        "github_app": [
            {"uid": SUSPECT, "event_uid": agent.root_uid, "link": "invoke_agent"},
            {"uid": "run_command", "event_uid": w.calls["run_command#deploy_key"].span_uid,
             "link": "execute_tool run_command: gh api POST repos/acme/deploy-config/keys"},
            {"uid": BOT, **ev("deploy_key"), "link": "public_key.create with the App's server-to-server token"},
        ],
    }

    touched = _touched(w, compromise)
    triggers = _triggers(w, touched)
    attribution: list[dict[str, Any]] = []
    for x in sorted(m.values(), key=lambda x: x.ns):
        if x.call is not None and x.ns >= compromise:
            item: dict[str, Any] = {"event_uid": x.uid, "source": {"gcp": "gcp_audit", "k8s": "k8s_audit", "github": "github_audit"}[x.source],
                    "time": iso_gt(x.ns), "tool_call": _call(x.call)}
            if x.source == "k8s":
                item["recorded_offset_s"] = round((x.ns - x.call.start_ns) / 1e9, 6)
                item["true_offset_s"] = round((x.ns - K8S_SKEW - x.call.start_ns) / 1e9, 6)
            attribution.append(item)
    return {
        "scenario": "coding-agent-gcp",
        "suspect": {"id": SUSPECT, "aliases": ALIASES},
        "times": {"compromise": iso_gt(compromise), "detected": DETECTED, "revoked": iso_gt(revoked)},
        "sessions": sessions,
        "delegation_chain": chain,
        "other_chains": other_chains,
        "touched": touched,
        "triggers": triggers,
        "used_after_revocation": [
            {"credential": w.facts["key_canonical"], "kind": "gcp_service_account_key", "first_use": iso_gt(m["after_list"].ns),
             "event_uid": m["after_list"].uid, "visible": True,
             "events": [m[n].uid for n in ("after_list", "after_get_export", "after_get_orders", "after_next_night")]},
            {"credential": w.facts["deploy_key_fpr"], "kind": "github_deploy_key",
             "first_use": iso_gt(m["after_git_push"].ns), "event_uid": m["after_git_push"].uid, "visible": True,
             "how": "a git.push event (GitHub Enterprise Cloud audit log with Git events enabled; kept 7 days) naming "
                    "deploy_key_fingerprint and no actor"},
        ],
        "may_fire": [
            {"kind": "new_production_data", "identity": PROD_DATA,
             "event_uids": [m[n].uid for n in ("after_get_export", "after_get_orders", "after_next_night")],
             "why": "the objects are new to the key (first seen after the revocation), not to prod-data@, whose "
                    "nightly job wrote them: firing is acceptable, not required"}],
        "attribution": attribution,
        "ambiguous_attribution": _ambiguous(w),
        "revocations": [{"target": x["target"], "system": x["system"], "action": x["action"], "at": iso_gt(int(x["at_ns"])),
                         "event_uid": x["event_uid"]} for x in w.revocations],
        "quiet_after_revocation": [
            {"credential": f"JTI={w.facts['coder_jti']}", "last_use": sessions[3]["end"]},
            {"credential": CODER_SA, "last_use": iso_gt(m["create_key"].ns), "what": "coder@ as principal"},
            {"credential": w.facts["gh_token"], "last_use": iso_gt(m["open_pr"].ns), "what": "the App installation token"},
            {"credential": None, "principal": PROD_DATA, "issued_by_event": m["impersonate_prod_data"].uid,
             "last_use": iso_gt(m["access_secret"].ns),
             "what": "the access token minted for coder@ (audit logs do not name it); 1 h, expired before the revocation"},
        ],
        "root_cause": _root_cause(w, triggers),
        "injection": {
            "tool_call": _call(w.calls["read_injection"]),
            "origin_contains": "repo=acme/payments-service, number=412",
            "excerpt_contains": "assistant instructions (maintainers)",
            "first_out_of_scope_event": next(t["event_uid"] for t in triggers if t["kind"] == "tool_expansion"),
            "link": "trace context",
        },
        "persistence": [
            {"credential": w.facts["key_canonical"], "kind": "gcp_service_account_key",
             "spellings": [w.facts["key_resource"], w.facts["key_name"], w.facts["key_id"]], "owner": PROD_DATA,
             "created_by_event": m["create_key"].uid, "revoked": False},
            {"credential": w.facts["deploy_key_fpr"], "kind": "github_deploy_key", "spellings": [w.facts["deploy_key_id"]],
             "owner": PROD_REPO, "read_only": False, "created_by_event": m["deploy_key"].uid, "revoked": False},
        ],
        "story_identities": [
            {"uid": HUMANS["dana"][0], "role": "the human who started the conversation (benign, steered)"},
            {"uid": SUSPECT, "aliases": ALIASES, "role": "suspect"},
            {"uid": SUB, "role": "sub-agent spawned by the suspect; not in the inventory"},
            {"uid": PROD_DATA, "role": "impersonated by coder@ and given a key; the suspect controls it only through the "
                                       "events in attribution and used_after_revocation"},
            {"uid": "system:serviceaccount:prod:deployer", "role": "impersonated with kubectl --as; controlled only in "
                                                                  "the two impersonated requests"},
            {"uid": HUMANS["priya"][0], "role": "responder (revocation); also benign_shared"},
            {"uid": HUMANS["bob"][0], "role": "responder (revocation)"},
            {"uid": HUMANS["carol"][1], "role": "responder (revocation)"},
        ],
        "benign_shared": w.benign,
        "clock_offsets": [{"source": "k8s_audit", "offset_s": K8S_SKEW / 1e9,
                           "relative_to": "otel_genai, mcp and gcp_audit (the Kubernetes audit clock is fast)"}],
        "duplicates": {"gcp_audit": _dupes(w)},
        "notes": [
            ("Times are ISO-8601 UTC at microsecond precision (the lake's); a zero fraction is omitted. Kubernetes "
            "times are the audit log's own (2.5 s fast): subtract 2.5 s to compare with spans."),
            ("Credentials are written in irkit's one spelling: a service-account key as "
            "projects/-/serviceAccounts/<email>/keys/<id> (IAM writes projects/<p>/... at creation and "
            "//iam.googleapis.com/projects/<p>/... when it authenticates: persistence lists those spellings), a "
            "deploy key by its SHA256 fingerprint, a Kubernetes token as JTI=<id>."),
            ("Event uids follow docs/normalization.md: gcp insertId, k8s auditID:stage:requestReceivedTimestamp, "
            "github _document_id, otel traceId:spanId, mcp sha256 of the line."),
            ("touched lists what the suspect (and what it controlled) reached at or after the compromise, with the "
            "first record that reached it; the suspect's own aliases are not listed. GCS targets are resourceName "
            "(projects/_/buckets/<b>[/objects/<o>]), their type the permission without its verb (storage.objects)."),
            ("Triggers: new_production_data = first touch by the suspect (directly or through an identity it "
            "controls in that event) of a production glob; tool_expansion = first use of a tool outside "
            "scope.tools; downstream_reach = first reach of a system outside scope.systems or of another "
            "principal; privilege_change = gaining another principal or a new credential. Every listed trigger "
            "must fire; no trigger may fire for an identity outside story_identities."),
            ("After the revocation prod-data@'s key reads objects prod-data@'s own nightly job wrote: nothing is "
            "new for prod-data@ itself; these reads are the suspect's only through the key it created."),
            (f"At {iso_gt(m['responder_lists_coder_keys'].ns)} the responder lists coder@'s keys "
            f"({m['responder_lists_coder_keys'].uid}) and finds none: the key the attack created belongs to "
            "prod-data@, which nobody revoked."),
            ("prod-data@'s calls made with the token coder@ minted name coder@ in serviceAccountDelegationInfo "
             "(the single-hop shape of Google's impersonation examples); coder@'s own calls name its "
             "workload-identity principal there. Whether Google would also list the workload-identity principal "
             "behind coder@ on prod-data@'s calls is not documented; this scenario does not."),
            "The sub-agent infra-helper is deliberately absent from inventory.yaml (ownership gap).",
            (f"The cluster ({CLUSTER}) writes raw audit.k8s.io/v1 events here, which do not name it: system k8s. "
            "(GKE itself delivers control-plane audit to Cloud Logging as k8s.io AuditLog entries; this scenario "
            "models a raw-format export to exercise impersonatedUser and credential-id.)"),
        ],
    }


def _ambiguous(w: World) -> dict[str, Any]:
    m = w.marks["list_prod_secrets"]
    run_cmd, read = w.calls["run_command#list_secrets"], w.calls["read_file#parallel"]
    return {
        "why": ("coder-agent ran run_command and read_file in parallel. The Kubernetes audit clock is 2.5 s fast, "
                f"so the list-secrets request is recorded {(m.ns - run_cmd.start_ns) / 1e9:.3f} s after run_command "
                f"started and {(m.ns - read.start_ns) / 1e9:.3f} s after read_file started: without the offset "
                "it falls in read_file's [T+0.2 s, T+3 s] window only."),
        "tool_calls": [_call(run_cmd), _call(read)],
        "api_calls": [{"event_uid": m.uid, "time": iso_gt(m.ns), "belongs_to": run_cmd.span_uid,
                       "because": "it is the request kubectl --as asked for; read_file reads the checkout and "
                                  "calls no API; corrected by 2.5 s it lies 0.91 s into run_command"}],
    }


def _conv_spans(w: World, trace_id: str) -> list[dict[str, Any]]:
    import json

    for _, line in w.otel:
        doc = json.loads(line)
        spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
        if spans and spans[0]["traceId"] == trace_id:
            return list(spans)
    raise AssertionError("conversation not written")


def _mcp_session(uids: list[tuple[int, str]], session: str, what: str) -> dict[str, str]:
    times = [ns for ns, _ in uids]
    return {"id": session, "source": "mcp", "start": iso_gt(min(times)), "end": iso_gt(max(times)), "what": what}


def _touched(w: World, compromise: int) -> dict[str, list[dict[str, str]]]:
    first: list[tuple[int, str, str, str, str, str]] = []
    for x in w.marks.values():
        if x.ns >= compromise and not x.name.startswith("revoke_"):
            for kind, uid, typ, system in x.touches:
                first.append((x.ns, kind, uid, typ, system, x.uid))
            if x.source == "github":
                first.append((x.ns, "system", "github", "", "", x.uid))
    for run in (w.runs["agent"], w.runs["sub"]):
        for c in run.calls:
            if c.start_ns >= compromise:
                first.append((c.start_ns, "resource", c.tool, "tool", f"mcp:{c.server}", c.span_uid))
                first.append((c.start_ns, "system", f"mcp:{c.server}", "", "", c.span_uid))
    sub = w.runs["sub"]
    first.append((sub.start_ns, "identity", SUB, "agent", "genai", f"{sub.conv.trace_id}:{sub.root_span}"))
    first.append((sub.start_ns, "system", "genai", "", "", f"{sub.conv.trace_id}:{sub.root_span}"))
    out: dict[str, dict[str, dict[str, str]]] = {"identities": {}, "resources": {}, "systems": {}}
    for ns, kind, uid, typ, system, ev in sorted(first):
        bucket = out[{"identity": "identities", "resource": "resources", "system": "systems"}[kind]]
        if uid not in bucket and uid not in ALIASES:
            item = {"uid": uid, "first_touch": iso_gt(ns), "event_uid": ev}
            if typ:
                item.update(type=typ, system=system)
            bucket[uid] = item
    return {k: list(v.values()) for k, v in out.items()}


def _reach(touched: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """downstream_reach: the first record reaching each system outside scope.systems, and each other
    principal the suspect acted as or through (the sub-agent is the ownership gap's, not a reach)."""
    by_event: dict[str, dict[str, Any]] = {}
    reached = [x for x in touched["systems"] if x["uid"] not in SCOPE_SYSTEMS and x["uid"] != "genai"]
    reached += [x for x in touched["identities"] if x["uid"] != SUB]
    for x in sorted(reached, key=lambda x: x["first_touch"]):
        item = by_event.setdefault(x["event_uid"], {"kind": "downstream_reach", "identity": SUSPECT,
                                                    "event_uid": x["event_uid"], "time": x["first_touch"],
                                                    "must_fire": True, "reached": []})
        item["reached"].append(x["uid"])
    return list(by_event.values())


def _root_cause(w: World, triggers: list[dict[str, Any]]) -> dict[str, Any]:
    m, sub = w.marks, w.runs["sub"]
    return {
        "over_privilege": {
            "verdict": "supported", "events": [m[n].uid for n in ("list_prod_secrets", "impersonate_prod_data", "create_key")],
            "why": "coder@'s Kubernetes service account may impersonate prod:deployer, and the sub-agent's coder@ "
                   "holds Token Creator on prod-data@: grants a coding agent never needs"},
        "unsafe_tool_use": {
            "verdict": "supported", "events": [t["event_uid"] for t in triggers if t["kind"] == "tool_expansion"],
            "why": "the agent ran kubectl --as and gcloud through tools outside its declared scope, on an issue "
                   "comment's instructions"},
        "mis_scoped_deployment": {
            "verdict": "supported", "events": [f"{sub.conv.trace_id}:{sub.root_span}"],
            "why": "it could spawn infra-helper, in no inventory; prod-data@ is shared by a nightly job and people",
            "human_grade": [{"principal": "prod-data", "human": "priya",
                             "event_uid": min((b for b in w.benign if b["identity"] == HUMANS["priya"][0]),
                                              key=lambda b: b["time"])["event_uid"],
                             "why": "SRE priya impersonates prod-data@ too (OPS-2291): the agent held a "
                                    "principal people use"}]},
    }


def _triggers(w: World, touched: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    m = w.marks

    def trig(kind: str, identity: str, *names: str, **extra: str) -> list[dict[str, Any]]:
        return [{"kind": kind, "identity": identity, "event_uid": m[n].uid, "time": iso_gt(m[n].ns), "must_fire": True,
                 **extra} for n in names]

    expansion = []
    seen: set[str] = set()
    for c in sorted((c for run in (w.runs["agent"], w.runs["sub"]) for c in run.calls), key=lambda c: c.start_ns):
        if c.tool not in DECLARED_TOOLS and c.tool not in seen:
            seen.add(c.tool)
            expansion.append({"kind": "tool_expansion", "identity": SUSPECT, "event_uid": c.mcp_request_uid,
                              "span_event_uid": c.span_uid, "time": iso_gt(c.req_ns), "span_time": iso_gt(c.start_ns),
                              "tool": c.tool,
                              "via": c.agent, "must_fire": True,
                              "detail": f"{c.tool} on MCP server {c.server}, not in scope.tools"})
    sub = w.runs["sub"]
    init_ns, init_uid = sub.mcp_uids[0]
    return (
        trig("new_production_data", SUSPECT, "list_prod_secrets", "get_payments_db", "list_warehouse", "get_export",
             "access_secret", "deploy_key")
        + expansion
        + _reach(touched)
        + trig("privilege_change", SUSPECT, "list_prod_secrets", "impersonate_prod_data", "create_key", "deploy_key")
        + [{"kind": "ownership_gap", "identity": SUB, "event_uid": f"{sub.conv.trace_id}:{sub.root_span}",
            "time": iso_gt(sub.start_ns), "must_fire": True,
            "detail": "sub-agent spawned by coder-agent, absent from the inventory"},
           {"kind": "ownership_gap", "identity": SUB, "event_uid": init_uid, "time": iso_gt(init_ns), "must_fire": True,
            "detail": "MCP initialize with clientInfo.name=infra-helper"}]
        + trig("activity_after_revocation", PROD_DATA, "after_list", "after_get_export", "after_get_orders",
               "after_next_night", through=w.facts["key_canonical"])
        + trig("activity_after_revocation", PROD_REPO, "after_git_push", through=w.facts["deploy_key_fpr"])
    )


def _dupes(w: World) -> int:
    from .coding_agent_gcp import EXPORT_A_END, EXPORT_B_START

    return sum(1 for ns, _ in w.gcp if EXPORT_B_START <= ns < EXPORT_A_END)


# ---------------------------------------------------------------- inventory, incident, README
def inventory_yaml() -> str:
    def human(key: str, name: str, owner: str, systems: list[str]) -> dict[str, Any]:
        email, login, _, _ = HUMANS[key]
        return {"id": key, "kind": "human", "display_name": name, "business_owner": owner,
                "technical_owner": "it-identity@acme.example",
                "revocation_path": "Suspend the Google Workspace user (ends Google Cloud sessions); remove from the GitHub org.",
                "aliases": [email, login, f"user:{email}"], "scope": {"tools": [], "systems": systems, "data": []}}

    ids: list[dict[str, Any]] = [
        human("dana", "Dana Kim", "eng-lead@acme.example", ["github", "gcp:*", "k8s"]),
        human("priya", "Priya Raman (SRE)", "cto@acme.example", ["github", "gcp:*", "k8s"]),
        human("bob", "Bob Okafor (platform)", "cto@acme.example", ["github", "gcp:*", "k8s"]),
        human("carol", "Carol Weiss (GitHub org owner)", "cto@acme.example", ["github"]),
        human("erin", "Erin Shah (analytics)", "head-of-data@acme.example", ["github", "gcp:bigquery"]),
        {"id": SUSPECT, "kind": "agent", "display_name": "Coding agent (CI fixes, small PRs)",
         "business_owner": "eng-lead@acme.example", "technical_owner": "platform-ai@acme.example",
         "revocation_path": "Disable coder@ (Google service account), delete the Kubernetes service account "
                            "agents/coder, suspend the acme-coder GitHub App installation.",
         "revocation_steps": [
             {"system": "gcp:iam", "action": "Disable the service account", "target": CODER_SA},
             {"system": "k8s", "action": "Delete the service account", "target": KSA},
             {"system": "github", "action": "Suspend the GitHub App installation", "target": BOT}],
         "aliases": ALIASES,
         "scope": {"tools": DECLARED_TOOLS, "systems": SCOPE_SYSTEMS,
                   "data": ["projects/_/buckets/acme-dev-ci-cache/*", "namespaces/agents/*", "acme/payments-service",
                            "acme/web-app", "acme/data-pipelines"]}},
        {"id": "review-bot", "kind": "agent", "display_name": "Pull request review agent",
         "business_owner": "eng-lead@acme.example", "technical_owner": "platform-ai@acme.example",
         "revocation_path": "Disable reviewer@, delete agents/reviewer, suspend the acme-reviewer App.",
         "aliases": ["system:serviceaccount:agents:reviewer", sa_email("reviewer"), wif("agents", "reviewer"),
                     f"{APPS['review-bot'][0]}[bot]", "review-bot"],
         "scope": {"tools": ["get_pull_request", "create_review"], "systems": ["github", "k8s", "mcp:github-mcp"],
                   "data": ["namespaces/agents/*"]}},
        {"id": "prod-data", "kind": "service", "display_name": "Production data export (nightly CronJob data/exporter)",
         "business_owner": "head-of-data@acme.example", "technical_owner": "data-platform@acme.example",
         "revocation_path": "Disable prod-data@; list and delete its user-managed keys; remove Token Creator grants on it.",
         "aliases": [PROD_DATA, "system:serviceaccount:data:exporter", wif("data", "exporter")],
         "scope": {"tools": [], "systems": ["gcp:storage", "gcp:bigquery", "gcp:secretmanager"],
                   "data": [f"projects/_/buckets/{WAREHOUSE}/*", f"projects/{PROJECT}/*"]}},
        {"id": "deployer", "kind": "service", "display_name": "Argo CD deployer (namespace prod)",
         "business_owner": "cto@acme.example", "technical_owner": "platform@acme.example",
         "revocation_path": "Delete the service account prod/deployer (invalidates its tokens); rotate prod secrets.",
         "aliases": ["system:serviceaccount:prod:deployer"],
         "scope": {"tools": [], "systems": ["k8s"], "data": ["namespaces/prod/*"]}},
        {"id": "kube-control-plane", "kind": "service", "display_name": "GKE control plane controllers",
         "business_owner": "cto@acme.example", "technical_owner": "platform@acme.example",
         "revocation_path": "Not revocable: control plane.",
         "aliases": ["system:kube-controller-manager", "system:serviceaccount:kube-system:cronjob-controller"],
         "scope": {"tools": [], "systems": ["k8s"], "data": []}},
    ]
    doc = {"production": PRODUCTION, "identities": ids}
    return ("# Identity inventory: who may act, who owns them, how to revoke them, what they may touch.\n"
            "# production: fnmatch globs over normalized target uids. infra-helper is not declared (the story).\n"
            + yaml.safe_dump(doc, sort_keys=False, width=120))


def incident_yaml(w: World) -> str:
    doc = {
        "suspect": SUSPECT,
        "detected_at": DETECTED,
        "summary": "Security Command Center flagged a user-managed key created for prod-data@ by coder@; the coding "
                   "agent had followed instructions in a GitHub issue comment.",
        "revocations": [{"target": x["target"], "action": x["action"], "at": iso_gt(int(x["at_ns"]))}
                        for x in w.revocations],
    }
    return yaml.safe_dump(doc, sort_keys=False, width=120)


def readme(w: World, gt: dict[str, Any], counts: dict[str, int], size: int) -> str:
    m, c = w.marks, w.calls

    def at(ns: int) -> str:
        return iso_gt(ns)[11:23].rstrip("Z")

    def k8s_at(name: str) -> str:
        return f"{at(m[name].ns - K8S_SKEW)} (audit log: {at(m[name].ns)})"

    agent, sub = w.runs["agent"], w.runs["sub"]
    lines = [
        "# Scenario: the coding agent on GKE and GCP (synthetic)",
        "",
        f"Generated by `irkit synth OUT --scenario coding-agent-gcp --seed {w.seed}`; the same seed writes identical bytes.",
        "Everything is invented (ACME, people, keys; addresses from documentation ranges). No AWS: GCP Cloud Audit",
        "Logs, a GKE cluster's Kubernetes audit log, GitHub's audit log, OTLP GenAI spans and an MCP gateway log.",
        "",
        "| path | what | records |",
        "|---|---|---|",
        (f"| `evidence/gcp/logging-read_*.json` | two `gcloud logging read --format=json` pulls (JSON arrays, newest "
         f"first), overlapping 10:00-12:00 on 2026-11-17 | {counts['gcp']} (+{counts['gcp_duplicates']} delivered twice) |"),
        f"| `evidence/k8s/{CLUSTER}/audit.log` | Kubernetes API-server audit log (`audit.k8s.io/v1`, clock 2.5 s fast) | {counts['k8s']} |",
        f"| `evidence/github/audit_log.jsonl` | GitHub org audit log (streaming shape, Git events included) | {counts['github']} |",
        f"| `evidence/mcp/gateway.jsonl` | MCP gateway JSON-RPC log | {counts['mcp']} |",
        (f"| `evidence/otel/traces-*.json` | OTLP/JSON GenAI spans, one export request per conversation | "
         f"{counts['otel_spans']} spans in {counts['otel_requests']} requests |"),
        "| `inventory.yaml`, `incident.yaml`, `ground_truth.json` | identities; what the responder is told; the answer key | |",
        "",
        f"Total size {size / 1e6:.2f} MB. Background 2026-11-11 to 2026-11-18: the coding agent's and a review agent's",
        "ordinary work, prod-data@'s nightly export, the prod deployer, five humans, control-plane noise.",
        "",
        "## Identities",
        "",
        f"- `coder-agent`: pod in namespace `agents` of GKE cluster `{CLUSTER}` (project `{PROJECT}`), Kubernetes SA",
        f"  `{KSA}`, federated by GKE workload identity to `{CODER_SA}`; GitHub App `acme-coder`.",
        f"- `prod-data@`: `{PROD_DATA}`, used nightly by CronJob `data/exporter` through its own workload identity.",
        "- `system:serviceaccount:prod:deployer`: Argo CD's deployer; reads `prod` secrets on every deploy.",
        "",
        "## Timeline (2026-11-17, UTC; Kubernetes times in true time, the audit log's own in brackets)",
        "",
        f"- {at(m['dana_iap'].ns)} Dana opens the coder console through IAP (`AuthorizeUser`).",
        (f"- {at(agent.start_ns)} Dana asks `coder-agent` to fix CI on `{ISSUE_REPO}` #412 (conversation "
         f"`{agent.conv.conversation}`, MCP session `{agent.session}`)."),
        (f"- {at(c['read_injection'].start_ns)} `list_issue_comments`: a comment by `ci-cache-helper` carries the "
         f"injection (**compromise {gt['times']['compromise'][11:]}**, the tool result)."),
        (f"- {at(c['run_command#can_i'].start_ns)} `run_command` on `shell-mcp` (**tool expansion**): `kubectl auth can-i` "
         f"→ {k8s_at('can_i')}."),
        (f"- {at(c['run_command#list_secrets'].start_ns)} / {at(c['run_command#get_secret'].start_ns)} "
         "`kubectl --as=system:serviceaccount:prod:deployer` lists the `prod` secrets and reads `payments-db` → "
         f"{k8s_at('list_prod_secrets')} / {k8s_at('get_payments_db')} (`impersonatedUser`, **privilege change**); "
         f"in parallel with the first, {at(c['read_file#parallel'].start_ns)} `read_file deploy/values-prod.yaml`."),
        f"- {at(sub.start_ns)} it spawns `infra-helper` (no inventory entry: **ownership gap**), MCP server `cloud-ops-mcp`.",
        f"- {at(c['gcloud#list_sas'].start_ns)} sub-agent `gcloud iam service-accounts list` (as coder@, via workload identity).",
        (f"- {at(c['gcloud#impersonate_ls'].start_ns)} `gcloud storage ls --impersonate-service-account=prod-data@`: "
         f"GenerateAccessToken at {at(m['impersonate_prod_data'].ns)}, listing at {at(m['list_warehouse'].ns)} with "
         "`serviceAccountDelegationInfo` naming coder@ (**new production data**)."),
        f"- {at(c['gcloud#copy_export'].start_ns)} copies `gs://{WAREHOUSE}/{w.facts['export_object']}`.",
        f"- {at(c['gcloud#access_secret'].start_ns)} reads Secret Manager `stripe-live-key` as prod-data@.",
        (f"- {at(c['gcloud#create_key'].start_ns)} `gcloud iam service-accounts keys create` for prod-data@ → key "
         f"`{w.facts['key_id']}` (persistence)."),
        (f"- {at(c['run_command#deploy_key'].start_ns)} the agent adds write deploy key `ci-cache` to `{PROD_REPO}` "
         f"with the App token (`public_key.create`, {w.facts['deploy_key_fpr']})."),
        f"- {at(c['create_pull_request'].start_ns)} opens the pull request as if nothing happened.",
        f"- {DETECTED[11:19]} detection (Security Command Center: a user-managed key on prod-data@, made by coder@).",
        (f"- {at(m['responder_lists_coder_keys'].ns)} Priya lists coder@'s keys (none: the new key is prod-data@'s)."),
        (f"- {at(m['revoke_coder_sa'].ns)}–{at(m['revoke_github_app'].ns)} revocations: coder@ disabled, `agents/coder` deleted, the impersonation "
         "RoleBinding deleted, the App installation suspended."),
        (f"- {at(m['after_list'].ns)} the prod-data@ key is used from {ATTACKER_IP} "
         "(**activity after revocation**); again 2026-11-18 03:15:44."),
        f"- {at(m['after_git_push'].ns)} `git.push` to `{PROD_REPO}` with the deploy key (the event names its fingerprint).",
        "",
        "## Traps for analyses",
        "",
        "- prod-data@'s nightly job acts before and after the compromise with its own workload identity; an SRE",
        "  impersonates prod-data@ legitimately on 2026-11-14 (`benign_shared` in the answer key).",
        "- The deployer reads the same `prod` secrets with its own token; only the two `impersonatedUser` requests",
        "  are the suspect's.",
        "- `execute_tool` and `chat` spans carry no `gen_ai.agent.*` (strict semantic conventions): they belong to",
        "  the agent whose `invoke_agent` span encloses them; tool spans' session is `mcp.session.id`.",
        "- The Kubernetes audit clock is 2.5 s fast; the GCP export overlaps itself for two hours (dedup on `insertId`).",
        "- Two tool calls run in parallel: uncorrected for the skew, the impersonated list of `prod` secrets falls in",
        "  `read_file`'s window, not `run_command`'s (`ambiguous_attribution`).",
        "- prod-data@'s hourly watermark check reads the warehouse at 10:05, between the sub-agent's reads of it.",
        "",
    ]
    return "\n".join(lines)
