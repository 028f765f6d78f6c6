"""Machines on a timetable: CI deploys (GitHub Actions → OIDC role → ECR/EKS → kubectl), the
nightly backup user, a scheduled Lambda, EKS nodes refreshing their instance role, Prometheus and
the controller manager in the cluster. Each has its own fixed set of resources, touched on its
first day, so no background identity ever reaches something new later in the period."""

from __future__ import annotations

from typing import Any

from . import cloudtrail as ct
from . import github, k8s
from ._util import HOUR, MS, SECOND, Ids, date_parts
from .cast import ACCOUNT, CLUSTER, GHA_OIDC, NAT_IPS, REGION, Human, role_arn
from .context import BOTO_UA, PERIOD_START, Ctx

JsonObj = dict[str, Any]

GO_UA = ("aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/s3#1.71.0 "
         "m/E,g")
LAMBDA_UA = BOTO_UA + " exec-env/AWS_Lambda_python3.12"
DEPLOYS = {"acme/payments-api": ("payments", "payments-api"), "acme/web-frontend": ("web", "web-frontend"),
           "acme/invoice-agent": ("finance", "invoice-agent"), "acme/support-bot": ("support", "support-triage-agent")}
NODES = ("i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", "i-0c3d4e5f60718293a")
BACKUP_IP = "192.0.2.12"
SYSTEM_GROUPS = ["system:serviceaccounts", "system:authenticated"]


def _ms(rng: Any, lo: int, hi: int) -> int:
    return rng.randint(lo, hi) * MS


def ci_run(ctx: Ctx, ids: Ids, t: int, repo: str, h: Human) -> None:
    """A push to main: workflow run, OIDC role session, image push, rollout."""
    rng = ids.rng
    run_id = rng.randint(11_800_000_000, 11_999_999_999)
    sha = ids.hex(40)
    wf = {"workflow_id": 88231000 + sorted(github.REPO_IDS).index(repo), "workflow_run_id": run_id,
          "name": "build-and-deploy", "head_branch": "main", "head_sha": sha, "event": "push", "run_attempt": 1}
    ctx.put("github", t, github.human_event(ids, t, "workflows.created_workflow_run", h, repo=repo, **wf))
    runner_ip = f"198.18.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    t += _ms(rng, 40_000, 90_000)
    sub = f"repo:{repo}:ref:refs/heads/main"
    t -= t % SECOND
    session = ct.RoleSession("ci-deploy", ctx.cast.ids["ci_role_id"], f"GitHubActions-{run_id}",
                             ids.aws_key("ASIA"), t, web_identity_provider=GHA_OIDC)
    ctx.ct(t, ct.record(
        ids, t, ct.web_identity_user(GHA_OIDC, sub, "sts.amazonaws.com"), "sts", "AssumeRoleWithWebIdentity",
        ip=runner_ip, ua="aws-actions/configure-aws-credentials " + BOTO_UA,
        params={"roleArn": role_arn("ci-deploy"), "roleSessionName": session.session_name, "durationSeconds": 3600},
        response={"credentials": ct.credentials(ids, session.key, t), "subjectFromWebIdentityToken": sub,
                  "assumedRoleUser": {"assumedRoleId": f"{session.role_id}:{session.session_name}",
                                      "arn": session.arn},
                  "provider": GHA_OIDC, "audience": "sts.amazonaws.com"},
        resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": role_arn("ci-deploy")}]))
    who = session.identity()
    name = repo.split("/")[1]
    for event, params, ro in (
        ("GetAuthorizationToken", {"registryIds": [ACCOUNT]}, True),
        ("PutImage", {"repositoryName": name, "imageTag": sha[:12], "registryId": ACCOUNT}, False),
        ("DescribeCluster", {"name": CLUSTER}, True),
    ):
        t += _ms(rng, 5_000, 60_000)
        src = "eks" if event == "DescribeCluster" else "ecr"
        res = None
        if event == "PutImage":
            res = [{"accountId": ACCOUNT, "type": "AWS::ECR::Repository",
                    "ARN": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"}]
        rec = ct.record(ids, t - t % SECOND, who, src, event, ip=runner_ip, ua=BOTO_UA, params=params,
                        response={"image": {"registryId": ACCOUNT, "repositoryName": name,
                                            "imageId": {"imageTag": sha[:12]}}} if event == "PutImage" else None,
                        read_only=ro, resources=res)
        ctx.ct(t, rec)
    if repo in DEPLOYS:
        ns, deploy = DEPLOYS[repo]
        user = k8s.plain_user("system:serviceaccount:ci:deployer", ctx.cast.ids["ci_sa_uid"],
                              SYSTEM_GROUPS + ["system:serviceaccounts:ci"])
        reason = 'RBAC: allowed by ClusterRoleBinding "ci-deployer" of ClusterRole "deployer" to ServiceAccount "deployer/ci"'
        for verb in ("patch", "get", "get"):
            t += _ms(rng, 2_000, 30_000)
            ctx.put("k8s", t, k8s.event(ids, t, user=user, verb=verb, resource="deployments", namespace=ns,
                                         name=deploy, ip=runner_ip, ua=k8s.KUBECTL_UA, reason=reason))
    t += _ms(rng, 10_000, 60_000)
    ctx.put("github", t, github.human_event(ids, t, "workflows.completed_workflow_run", h, repo=repo,
                                           conclusion="success", **wf))


def backup_night(ctx: Ctx, day: int) -> None:
    ids = ctx.ids("backup", day)
    rng = ids.rng
    user = ct.IamUser("backup-svc", ctx.cast.ids["backup_user_id"], ctx.cast.ids["backup_key_old"])
    who = user.identity()
    t = day + 7 * HOUR + _ms(rng, 0, 600_000)
    y, m, d = date_parts(day)
    if rng.random() < 0.3 or day == PERIOD_START:
        t -= t % SECOND
        ctx.ct(t, ct.record(ids, t, who, "s3", "ListBuckets", ip=BACKUP_IP, ua=GO_UA,
                            params={"Host": f"s3.{REGION}.amazonaws.com"}))
    t += _ms(rng, 500, 3000)
    prefix = f"daily/{y}-{m}-{d}/"
    ctx.ct(t, ct.s3_list_objects(ids, t - t % SECOND, who, "acme-prod-orders", prefix, ip=BACKUP_IP, ua=GO_UA))
    for part in range(rng.randint(2, 3)):
        key = f"{prefix}orders-part-{part:04d}.parquet"
        size = rng.randint(2_000_000, 40_000_000)
        for name, bucket, k in (("GetObject", "acme-prod-orders", key),
                                ("PutObject", "acme-backups", f"orders/{y}-{m}-{d}/orders-part-{part:04d}.parquet")):
            t += _ms(rng, 800, 9000)
            ctx.ct(t, ct.s3_object_event(ids, t - t % SECOND, who, name, bucket, k, ip=BACKUP_IP, ua=GO_UA,
                                         size=size))


def report_lambda(ctx: Ctx, day: int) -> None:
    ids = ctx.ids("report", day)
    rng = ids.rng
    t = day + 11 * HOUR + _ms(rng, 0, 30_000)
    t -= t % SECOND
    session = ct.RoleSession("report-generator", ctx.cast.ids["report_role_id"], "report-generator",
                             ids.aws_key("ASIA"), t)
    ctx.ct(t, ct.record(ids, t, ct.aws_service("lambda.amazonaws.com"), "sts", "AssumeRole",
                        ip="lambda.amazonaws.com", ua="lambda.amazonaws.com",
                        params={"roleArn": session.role_arn, "roleSessionName": session.session_name},
                        response={"credentials": ct.credentials(ids, session.key, t, 43200),
                                  "assumedRoleUser": {"assumedRoleId": f"{session.role_id}:report-generator",
                                                      "arn": session.arn}},
                        resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": session.role_arn}]))
    y, m, d = date_parts(day)
    t += _ms(rng, 1500, 4000)
    ctx.ct(t, ct.s3_object_event(ids, t - t % SECOND, session.identity(), "GetObject", "acme-analytics",
                                 f"daily/{y}{m}{d}/kpis.parquet", ip=NAT_IPS[1], ua=LAMBDA_UA,
                                 size=rng.randint(200_000, 900_000)))
    t += _ms(rng, 3000, 9000)
    ctx.ct(t, ct.s3_object_event(ids, t - t % SECOND, session.identity(), "PutObject", "acme-reports",
                                 f"daily/{y}-{m}-{d}.pdf", ip=NAT_IPS[1], ua=LAMBDA_UA,
                                 size=rng.randint(80_000, 300_000)))


def nodes(ctx: Ctx, day: int) -> None:
    ids = ctx.ids("nodes", day)
    rng = ids.rng
    for i, node in enumerate(NODES):
        for quarter in (0, 6, 12, 18):
            t = day + (quarter + 2 * i) * HOUR + _ms(rng, 0, 3_000_000)
            t -= t % SECOND
            session = ct.RoleSession("eks-node-prod-use1", ctx.cast.ids["node_role_id"], node,
                                     ids.aws_key("ASIA"), t)
            ctx.ct(t, ct.record(ids, t, ct.aws_service("ec2.amazonaws.com"), "sts", "AssumeRole",
                                ip="ec2.amazonaws.com", ua="ec2.amazonaws.com", version="1.08",
                                params={"roleArn": session.role_arn, "roleSessionName": node},
                                response={"credentials": ct.credentials(ids, session.key, t, 21600),
                                          "assumedRoleUser": {"assumedRoleId": f"{session.role_id}:{node}",
                                                              "arn": session.arn}},
                                resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role",
                                            "ARN": session.role_arn}]))
            t += 2 * SECOND + _ms(rng, 0, 60_000)
            ctx.ct(t, ct.record(ids, t - t % SECOND, session.identity(), "ecr", "GetAuthorizationToken",
                                ip=NAT_IPS[i % 2], ua="aws-sdk-go/1.55.5 (go1.22.9; linux; amd64)",
                                params={"registryIds": [ACCOUNT]}))


def kms_rotation(ctx: Ctx, t: int) -> None:
    """A service event: AWS rotates a customer managed key on its own (no userIdentity.type)."""
    ids = ctx.ids("kms-rotate", t)
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{ids.uuid4()}"
    ctx.ct(t, ct.record(ids, t, {"accountId": ACCOUNT, "invokedBy": "kms.amazonaws.com"}, "kms", "RotateKey",
                        ip="kms.amazonaws.com", ua="kms.amazonaws.com", event_type="AwsServiceEvent",
                        version="1.08", params=None, response=None, read_only=False,
                        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}]))


def cluster_system(ctx: Ctx, day: int) -> None:
    ids = ctx.ids("cluster-system", day)
    rng = ids.rng
    prom = k8s.plain_user("system:serviceaccount:monitoring:prometheus", ctx.cast.ids["prom_sa_uid"],
                          SYSTEM_GROUPS + ["system:serviceaccounts:monitoring"])
    reason = ('RBAC: allowed by ClusterRoleBinding "prometheus" of ClusterRole "prometheus" to '
              'ServiceAccount "prometheus/monitoring"')
    for hour in range(0, 24, 3):
        t = day + hour * HOUR + _ms(rng, 0, 3_500_000)
        resource = ("pods", "endpoints", "services")[hour // 3 % 3]
        ctx.put("k8s", t, k8s.event(ids, t, user=prom, verb="list", resource=resource, namespace=None, name=None,
                                     ip="10.40.96.15", ua="Prometheus/2.54.1", reason=reason,
                                     query="?limit=500&resourceVersion=0"))
    kcm = k8s.plain_user("system:kube-controller-manager", None, ["system:authenticated"])
    for hour in range(1, 24, 6):
        t = day + hour * HOUR + _ms(rng, 0, 3_500_000)
        ctx.put("k8s", t, k8s.event(ids, t, user=kcm, verb="update", resource="leases", namespace="kube-system",
                                     name="kube-controller-manager", ip="10.40.0.21",
                                     ua="kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election",
                                     reason=""))
