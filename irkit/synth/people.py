"""A working day of each human: Okta sign-in and SSO, AWS work through an Identity Center role,
GitHub pushes and pull requests (pushes to main start CI), kubectl reads. ACME works US-Eastern
hours (13:00–22:00 UTC); weekends are quiet."""

from __future__ import annotations

from typing import Any

from . import cloudtrail as ct
from . import github, k8s, okta
from ._util import HOUR, MINUTE, MS, SECOND, Ids
from .cast import ACCOUNT, CLUSTER, REGION, Human
from .context import CLI_UA, INCIDENT_DAY, Ctx
from .services import ci_run

JsonObj = dict[str, Any]

# (service, eventName, requestParameters, (errorCode, errorMessage, probability) | None)
MENUS: dict[str, list[tuple[str, str, JsonObj | None, tuple[str, str, float] | None]]] = {
    "alice": [
        ("cloudtrail", "LookupEvents", {"lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}],
                                        "maxResults": 50}, None),
        ("guardduty", "ListFindings", {"detectorId": "7ac0f1e2d3b4a5968778695a4b3c2d1e", "maxResults": 50}, None),
        ("iam", "ListRoles", {"maxItems": 100}, None),
        ("s3", "ListBuckets", {"Host": f"s3.{REGION}.amazonaws.com"}, None),
        ("securityhub", "GetFindings", {"maxResults": 100}, None),
    ],
    "bob": [
        ("ec2", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}, None),
        ("eks", "DescribeCluster", {"name": CLUSTER}, None),
        ("eks", "ListNodegroups", {"clusterName": CLUSTER}, None),
        ("autoscaling", "DescribeAutoScalingGroups", {"maxRecords": 100}, None),
        ("rds", "DescribeDBInstances", {"maxRecords": 100}, None),
        ("s3", "GetBucketPolicy", {"bucketName": "acme-prod-orders", "Host": f"acme-prod-orders.s3.{REGION}.amazonaws.com",
                                   "policy": ""},
         ("NoSuchBucketPolicy", "The bucket policy does not exist", 1.0)),
    ],
    "carol": [
        ("ecr", "DescribeRepositories", {"registryId": ACCOUNT}, None),
        ("lambda", "ListFunctions20150331", None, None),
        ("logs", "DescribeLogGroups", {"limit": 50}, None),
        ("cloudformation", "DescribeStacks", None, None),
        ("iam", "ListRoles", {"maxItems": 100}, ("AccessDenied", "", 1.0)),
    ],
}
BURSTS = {"alice": (4, 8), "bob": (6, 12), "carol": (4, 8)}
REPOS = {"alice": ("acme/platform-infra",), "bob": ("acme/platform-infra", "acme/support-bot"),
         "carol": ("acme/web-frontend", "acme/payments-api", "acme/invoice-agent")}
K8S_READS = {"bob": (("pods", "payments"), ("pods", "finance"), ("deployments", "web"), ("pods", "monitoring"),
                     ("pods", "support")),
             "alice": (("pods", "finance"), ("pods", "payments"))}


def human_day(ctx: Ctx, h: Human, day: int, weekday: bool, first: bool) -> None:
    """`first`: the period's first day, when everyone touches everything they ever touch."""
    ids = ctx.ids("human", h.id, day)
    rng = ids.rng
    if not weekday and rng.random() > (0.3 if h.id in ("alice", "bob") else 0.05):
        return
    login = day + 13 * HOUR + rng.randint(0, 100) * MINUTE + rng.randint(0, 59_999) * MS
    session = "102" + ids.b62(22)
    ctx.put("okta", login, okta.session_start(ids, login, h, session))
    t = login
    if rng.random() < 0.2:
        t += rng.randint(4000, 15000) * MS
        ctx.put("okta", t, okta.mfa(ids, t, h, session))
    aws_at = None
    for app in h.apps:
        if first or app in ("aws", "invoice-ui", "support-ui") or rng.random() < 0.15:
            t += rng.randint(20, 900) * SECOND + rng.randint(0, 999) * MS
            app_id, label = ctx.cast.okta_apps[app]
            ctx.put("okta", t, okta.sso(ids, t, h, session, app_id, label))
            if app == "aws":
                aws_at = t
    if rng.random() < 0.2:
        t = login + rng.randint(8 * 60, 9 * 60) * MINUTE
        ctx.put("okta", t, okta.session_end(ids, t, h, session))
    if aws_at is not None and h.sso_role:
        aws_work(ctx, ids, h, aws_at + 6 * SECOND, first)
    if h.github:
        github_work(ctx, ids, h, login + rng.randint(10, 40) * MINUTE, first)
    if h.k8s:
        k8s_work(ctx, ids, h, login + rng.randint(5, 60) * MINUTE, first)


def aws_work(ctx: Ctx, ids: Ids, h: Human, t: int, first: bool) -> None:
    rng = ids.rng
    assert h.sso_role
    t -= t % SECOND
    session = ct.RoleSession(h.sso_role, h.sso_role_id, h.email, ids.aws_key("ASIA"), t)
    console = h.id != "bob"
    ua = h.browser_ua if console else CLI_UA.format(cmd="ec2.describe-instances")
    if console:
        ctx.ct(t, ct.record(ids, t, session.identity(), "signin", "ConsoleLogin", ip=h.ip, ua=h.browser_ua,
                            params=None, response={"ConsoleLogin": "Success"}, read_only=False,
                            event_type="AwsConsoleSignIn", version="1.08",
                            additional={"MobileVersion": "No", "MFAUsed": "No"},
                            host="signin.aws.amazon.com"))
    lo, hi = BURSTS[h.id]
    bursts = [[rng.choice(MENUS[h.id]) for _ in range(rng.randint(3, 8))] for _ in range(rng.randint(lo, hi))]
    if first:
        bursts.insert(0, list(MENUS[h.id]))
    for burst in bursts:
        t += rng.randint(1, 70) * MINUTE + rng.randint(0, 59) * SECOND
        for src, name, params, err in burst:
            t += rng.randint(1, 25) * SECOND
            error = None
            if err and rng.random() < err[2]:
                msg = err[1] or (f"User: {session.arn} is not authorized to perform: {src}:{name} "
                                 "because no identity-based policy allows the action")
                error = (err[0], msg)
            ctx.ct(t, ct.record(ids, t, session.identity(), src, name, ip=h.ip, ua=ua, params=params,
                                error=error))
    if h.id == "bob" and (first or rng.random() < 0.35):
        ops_admin_work(ctx, ids, h, session, t + rng.randint(2, 30) * MINUTE)


def ops_admin_work(ctx: Ctx, ids: Ids, h: Human, via: ct.RoleSession, t: int) -> None:
    """Bob's routine break-glass: assume ops-admin, look at IAM and a production bucket policy."""
    rng = ids.rng
    t -= t % SECOND
    admin = ct.RoleSession("ops-admin", ctx.cast.ids["ops_admin_role_id"], "bob-ops", ids.aws_key("ASIA"), t,
                           source_identity=h.email)
    ua = CLI_UA.format(cmd="sts.assume-role")
    ctx.ct(t, ct.record(ids, t, via.identity(), "sts", "AssumeRole", ip=h.ip, ua=ua,
                        params={"roleArn": admin.role_arn, "roleSessionName": "bob-ops", "durationSeconds": 3600,
                                "sourceIdentity": h.email},
                        response={"credentials": ct.credentials(ids, admin.key, t),
                                  "assumedRoleUser": {"assumedRoleId": f"{admin.role_id}:bob-ops", "arn": admin.arn},
                                  "sourceIdentity": h.email},
                        resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": admin.role_arn}]))
    for src, name, params in (("iam", "GetRole", {"roleName": "invoice-agent"}),
                              ("iam", "ListAttachedRolePolicies", {"roleName": "ci-deploy"}),
                              ("kms", "DescribeKey", {"keyId": "alias/acme-prod-data"})):
        t += rng.randint(3, 40) * SECOND
        ctx.ct(t, ct.record(ids, t, admin.identity(), src, name, ip=h.ip, ua=CLI_UA.format(cmd=f"{src}.x"),
                            params=params))


def github_work(ctx: Ctx, ids: Ids, h: Human, t: int, first: bool) -> None:
    rng = ids.rng
    n = rng.randint(0, 3) if h.id != "carol" else rng.randint(1, 4)
    for i in range(len(REPOS[h.id]) if first else n):
        t += rng.randint(15, 120) * MINUTE + rng.randint(0, 59_999) * MS
        repos = [r for r in REPOS[h.id] if r != "acme/invoice-agent" or t < INCIDENT_DAY]
        repo = REPOS[h.id][i] if first else rng.choice(repos)
        ctx.put("github", t, github.git_event(ids, t, "git.push", h, repo))
        if h.id == "carol" and rng.random() < 0.4:
            number = rng.randint(400, 999)
            t += rng.randint(1, 20) * MINUTE
            pr = {"pull_request_id": rng.randint(2_100_000_000, 2_199_999_999),
                  "pull_request_title": rng.choice(("Fix rounding in totals", "Bump dependencies",
                                                    "Add retry to exporter", "Tidy logging")),
                  "pull_request_url": f"https://github.com/{repo}/pull/{number}"}
            ctx.put("github", t, github.human_event(ids, t, "pull_request.create", h, repo=repo,
                                                    ua=h.browser_ua, **pr))
            t += rng.randint(20, 90) * MINUTE
            ctx.put("github", t, github.human_event(ids, t, "pull_request.merge", h, repo=repo,
                                                    ua=h.browser_ua, **pr))
            ci_run(ctx, ids, t + rng.randint(3, 15) * SECOND, repo, h)
        elif (first or rng.random() < 0.3) and repo != "acme/platform-infra":
            ci_run(ctx, ids, t + rng.randint(3, 15) * SECOND, repo, h)


def k8s_work(ctx: Ctx, ids: Ids, h: Human, t: int, first: bool) -> None:
    rng = ids.rng
    user = k8s.plain_user(h.k8s_user, None, ["oidc:platform-admins", "system:authenticated"])
    reason = 'RBAC: allowed by ClusterRoleBinding "platform-admins" of ClusterRole "view" to Group "oidc:platform-admins"'
    reads = K8S_READS[h.id]
    for resource, ns in reads if first else rng.sample(reads, k=min(len(reads), rng.randint(1, 4))):
        t += rng.randint(1, 90) * MINUTE + rng.randint(0, 59_999) * MS
        ctx.put("k8s", t, k8s.event(ids, t, user=user, verb="list", resource=resource, namespace=ns, name=None,
                                     ip=h.ip, ua=k8s.KUBECTL_UA, reason=reason, query="?limit=500"))

