"""The agents' ordinary work: conversations with their declared MCP tools, each tool call writing
the cloud records its tool causes (S3 reads with the agent's IRSA session, a configmap read with its
service account, an Okta client-credentials token for the ledger/tickets API).

The same tool functions are used by the incident story, so the suspect's bad day looks, record by
record, like its good days until the injected document changes what it does.
"""

from __future__ import annotations

from typing import Any

from . import cloudtrail as ct
from . import github, k8s, okta
from ._util import HOUR, MINUTE, MS, SECOND, Ids, date_parts
from .cast import CLUSTER, NAT_IPS, Agent
from .context import BOTO_UA, SUSPECT_BASELINE_END, Ctx
from .conversation import AgentRun, ToolCall, api_time, emit_trace

JsonObj = dict[str, Any]

VENDORS = ("Northwind Office Supply", "Contoso Facilities", "Fabrikam Logistics", "Tailspin Catering",
           "Litware Software", "Adventure Works Print", "Wide World Importers", "Proseware Cleaning")
AGENT_VERSIONS = {"invoice-agent": "1.4.2", "support-triage-agent": "2.1.0"}


def resource_attrs(a: Agent) -> dict[str, str]:
    return {"deployment.environment.name": "prod", "k8s.cluster.name": CLUSTER, "k8s.namespace.name": a.namespace,
            "k8s.pod.name": a.pod}


def rbac_reason(a: Agent) -> str:
    return (f'RBAC: allowed by RoleBinding "{a.id}/{a.namespace}" of Role "{a.id}" to ServiceAccount '
            f'"{a.id}/{a.namespace}"')


def latency_after(rng: Any, start_ns: int, last_effect_ns: int) -> int:
    return max(last_effect_ns, start_ns) - start_ns + rng.randint(150, 700) * MS + rng.randint(0, 999_999)


def next_call(rng: Any, run: AgentRun, prev: ToolCall | None, t: int) -> int:
    """Think (a chat span) before the next tool call; tool calls are at least 11 s apart."""
    t = run.chat(t + rng.randint(20, 200) * MS, rng.randint(1500, 6500) * MS)
    t += rng.randint(30, 400) * MS
    if prev is not None:
        t = max(t, prev.start_ns + 11 * SECOND + rng.randint(0, 3000) * MS)
    return t


# ---------------------------------------------------------------- tool calls with their effects
def read_object(ctx: Ctx, ids: Ids, run: AgentRun, creds: ct.RoleSession, t: int, server: str, tool: str,
                args: JsonObj, bucket: str, key: str, text: str, *, missing: bool = False) -> tuple[ToolCall, JsonObj]:
    rng = ids.rng
    when = api_time(rng, t, whole_seconds=True)
    rec = ctx.ct(when, ct.s3_object_event(
        ids, when, creds.identity(), "GetObject", bucket, key, ip=NAT_IPS[0], ua=BOTO_UA,
        size=0 if missing else rng.randint(40_000, 900_000),
        error=("NoSuchKey", "The specified key does not exist.") if missing else None))
    result = f"Error: document s3://{bucket}/{key} not found" if missing else text
    call = run.tool(t, server, tool, args, result, latency_after(rng, t, when), is_error=missing)
    return call, rec


def read_configmap(ctx: Ctx, ids: Ids, run: AgentRun, a: Agent, t: int, server: str, tool: str, args: JsonObj,
                   result: str) -> tuple[ToolCall, JsonObj]:
    rng = ids.rng
    when = api_time(rng, t, whole_seconds=False)
    rec = ctx.put("k8s", when, k8s.event(ids, when, user=k8s.sa_user(a, ctx.jti(a, when)), verb="get", resource="configmaps",
                                         namespace=a.namespace, name=a.configmap, ip=a.pod_ip,
                                         ua=k8s.PY_CLIENT_UA, reason=rbac_reason(a)))
    return run.tool(t, server, tool, args, result, latency_after(rng, t, when)), rec


def with_token(ctx: Ctx, ids: Ids, run: AgentRun, a: Agent, t: int, server: str, tool: str, args: JsonObj,
               result: str, need_token: bool) -> tuple[ToolCall, JsonObj | None]:
    """A tool backed by an internal API: the first call fetches a client-credentials token."""
    rng = ids.rng
    rec = None
    last = t
    if need_token:
        last = api_time(rng, t, whole_seconds=False)
        rec = ctx.put("okta", last, okta.token_grant(ids, last, client_id=a.okta_client, app_label=a.okta_app,
                                                     as_id=a.okta_as, as_name=a.okta_as_name, scopes=a.okta_scope,
                                                     ip=NAT_IPS[0]))
    else:
        last = t + rng.randint(200, 1500) * MS
    return run.tool(t, server, tool, args, result, latency_after(rng, t, last)), rec


# ---------------------------------------------------------------- invoice-agent
def invoice_text(inv: str, vendor: str, amount: str, due: str) -> str:
    return (f"INVOICE {inv}\nVendor: {vendor}\nBill to: ACME Corp, Accounts Payable\nAmount due: {amount} USD\n"
            f"Due date: {due}\nPayment terms: Net 14\nRemit to: ACH on file")


def invoice_conversation(ctx: Ctx, key: str, start: int, user: str) -> None:
    a = ctx.cast.agents["invoice-agent"]
    ids = ctx.ids("invoice-conv", key)
    rng = ids.rng
    run = AgentRun(ctx.sinks, ids, a.id, AGENT_VERSIONS[a.id], "conv_" + ids.b62(24), ids.trace_id(),
                   ids.hex(32), start, user_id=user)
    creds = ctx.irsa_session(ids, a, start + rng.randint(100, 400) * MS)
    t = run.open_server(start + rng.randint(600, 1200) * MS, "docs")
    t = run.open_server(t + rng.randint(2, 20) * MS, "ledger")
    prev: ToolCall | None = None
    token = True
    day = "".join(date_parts(start))
    for i in range(rng.choice((1, 1, 2, 2, 3))):
        inv = f"INV-{day[2:]}{rng.randint(100, 999)}"
        vendor = rng.choice(VENDORS)
        amount = f"{rng.randint(120, 9800)}.{rng.randint(0, 99):02d}"
        obj = f"{day[:4]}/{day[4:6]}/{inv}.pdf"
        uri = f"s3://{a.bucket}/{obj}"
        t = next_call(rng, run, prev, t)
        missing = rng.random() < 0.06
        prev, _ = read_object(ctx, ids, run, creds, t, "docs", "read_document", {"uri": uri}, a.bucket, obj,
                              invoice_text(inv, vendor, amount, "2026-11-24"), missing=missing)
        t = prev.end_ns
        if missing:
            continue
        t = next_call(rng, run, prev, t)
        prev, _ = read_configmap(ctx, ids, run, a, t, "docs", "extract_invoice", {"document_uri": uri},
                                 f'{{"invoice_id":"{inv}","vendor":"{vendor}","amount":"{amount}",'
                                 f'"currency":"USD","due_date":"2026-11-24"}}')
        t = next_call(rng, run, prev, prev.end_ns)
        prev, _ = with_token(ctx, ids, run, a, t, "ledger", "post_to_ledger",
                             {"invoice_id": inv, "vendor": vendor, "amount": amount, "currency": "USD"},
                             f"Posted {inv} to ledger entry AP-2026-{rng.randint(10000, 99999)}", token)
        token = False
        t = prev.end_ns
    t = run.chat(t + rng.randint(20, 200) * MS, rng.randint(1200, 4000) * MS)
    run.finish(t + rng.randint(5, 40) * MS)
    emit_trace(ctx.sinks, run, a.id, resource_attrs(a))


# ---------------------------------------------------------------- support-triage-agent
def support_conversation(ctx: Ctx, key: str, start: int, user: str) -> None:
    a = ctx.cast.agents["support-triage-agent"]
    ids = ctx.ids("support-conv", key)
    rng = ids.rng
    run = AgentRun(ctx.sinks, ids, a.id, AGENT_VERSIONS[a.id], "conv_" + ids.b62(24), ids.trace_id(),
                   ids.hex(32), start, user_id=user)
    creds = ctx.irsa_session(ids, a, start + rng.randint(100, 400) * MS)
    t = run.open_server(start + rng.randint(600, 1200) * MS, "tickets")
    t = next_call(rng, run, None, t)
    prev, _ = with_token(ctx, ids, run, a, t, "tickets", "search_tickets", {"query": "status:open priority:high"},
                         "3 tickets: SUP-4411 (login loop), SUP-4415 (export timeout), SUP-4420 (refund)", True)
    for _ in range(rng.randint(1, 2)):
        ticket = f"SUP-{rng.randint(4400, 4499)}"
        t = next_call(rng, run, prev, prev.end_ns)
        obj = f"tickets/{ticket}/screenshot-{rng.randint(1, 9)}.png"
        prev, _ = read_object(ctx, ids, run, creds, t, "tickets", "get_ticket", {"ticket_id": ticket}, a.bucket,
                              obj, f"{ticket}: customer reports an error; 1 attachment ({obj})")
        t = next_call(rng, run, prev, prev.end_ns)
        if rng.random() < 0.5:
            prev, _ = read_configmap(ctx, ids, run, a, t, "tickets", "update_ticket",
                                     {"ticket_id": ticket, "status": "triaged", "note": "routed to tier 2"},
                                     f"{ticket} updated")
        else:
            prev, _ = with_token(ctx, ids, run, a, t, "tickets", "update_ticket",
                                 {"ticket_id": ticket, "status": "pending", "note": "asked for logs"},
                                 f"{ticket} updated", False)
    t = run.chat(prev.end_ns + rng.randint(20, 200) * MS, rng.randint(1200, 4000) * MS)
    run.finish(t + rng.randint(5, 40) * MS)
    emit_trace(ctx.sinks, run, a.id, resource_attrs(a))


# ---------------------------------------------------------------- a day of agent work
def agents_day(ctx: Ctx, day: int, weekday: bool) -> None:
    rng = ctx.rng("agents-day", day)
    inv = ctx.cast.agents["invoice-agent"]
    n = rng.randint(1, 3) if weekday else rng.randint(0, 1)
    starts = sorted(day + 13 * HOUR + rng.randint(20, 500) * MINUTE + rng.randint(0, 59_999) * MS
                    for _ in range(n))
    for i in range(1, len(starts)):  # one conversation at a time: its tool calls stay attributable
        starts[i] = max(starts[i], starts[i - 1] + 15 * MINUTE)
    if day + 12 * HOUR < SUSPECT_BASELINE_END:  # the pod syncs its templates once a day
        ids = ctx.ids("invoice-sync", day)
        t = day + 12 * HOUR + rng.randint(0, 3599) * SECOND + rng.randint(0, 999) * MS
        token = (ids.b64(32), rng.randint(3_000_000_000, 3_999_999_999))
        ctx.put("github", t, github.app_event(ids, t, "git.clone", inv, token, repo=inv.github_repo,
                                              ua=github.GIT_UA, repository_public=False, transport_protocol=1,
                                              transport_protocol_name="http"))
    for i, start in enumerate(starts):
        if start < SUSPECT_BASELINE_END - 20 * MINUTE:  # it is switched off on the incident day
            invoice_conversation(ctx, f"{day}:{i}", start, f"{rng.choice(inv.users)}@acme.example")
    sup = ctx.cast.agents["support-triage-agent"]
    n = rng.randint(1, 2) if weekday else rng.randint(0, 1)
    for i in range(n):
        start = day + 13 * HOUR + rng.randint(10, 520) * MINUTE + rng.randint(0, 59_999) * MS
        support_conversation(ctx, f"{day}:{i}", start, f"{rng.choice(sup.users)}@acme.example")
