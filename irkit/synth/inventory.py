"""inventory.yaml: every identity of the cast with owners, revocation path, aliases and declared
scope. The only gaps are the ones the story needs: `recon-subagent` is absent."""

from __future__ import annotations

from typing import Any

import yaml

from .cast import ACCOUNT, K8S_SYSTEM, Cast, role_arn, user_arn

PRODUCTION = ["arn:aws:s3:::acme-prod-*", "namespaces/payments/*", "acme/payments-*"]


def _identity(id_: str, kind: str, display: str, business: str, technical: str, revocation: str,
              aliases: list[str], tools: list[str], systems: list[str], data: list[str],
              steps: list[dict[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id_, "kind": kind, "display_name": display, "business_owner": business,
                           "technical_owner": technical, "revocation_path": revocation}
    if steps:
        out["revocation_steps"] = steps
    out["aliases"] = aliases
    out["scope"] = {"tools": tools, "systems": systems, "data": data}
    return out


def build_inventory(cast: Cast, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    ids = cast.ids
    items: list[dict[str, Any]] = []
    for h in cast.humans.values():
        aliases = [h.email, h.okta_id]
        systems = ["okta"]
        if h.sso_role:
            aliases.append(f"arn:aws:sts::{ACCOUNT}:assumed-role/{h.sso_role}/{h.email}")
            systems += ["aws:*"]
        if h.github:
            aliases.append(h.github)
            systems.append("github")
        if h.k8s:
            aliases.append(h.k8s_user)
            systems.append(K8S_SYSTEM)
        items.append(_identity(h.id, "human", h.display, h.business_owner, h.technical_owner,
                               "Suspend the Okta user (ends SSO sessions); revoke IAM Identity Center sessions.",
                               aliases, [], systems, []))
    for a in cast.agents.values():
        aliases = [a.role, a.okta_client, a.sa, a.id]
        systems = ["aws:s3", "okta", K8S_SYSTEM] + [f"mcp:{s}" for s in a.servers]
        steps = [{"system": "aws:iam", "action": "Revoke role sessions (AWSRevokeOlderSessions)", "target": a.role},
                 {"system": "okta", "action": "Deactivate the OAuth service app", "target": a.okta_client},
                 {"system": K8S_SYSTEM, "action": "Delete the service account", "target": a.sa}]
        if a.github_app:
            aliases.insert(2, a.bot)
            systems.insert(2, "github")
            steps.insert(2, {"system": "github", "action": "Suspend the GitHub App installation", "target": a.bot})
        data = [f"arn:aws:s3:::{a.bucket}/*", f"namespaces/{a.namespace}/*"]
        if a.github_repo:
            data.append(a.github_repo)
        items.append(_identity(
            a.id, "agent", a.display, a.business_owner, a.technical_owner,
            "Revoke the IAM role's sessions, deactivate its Okta service app"
            + (", suspend its GitHub App installation" if a.github_app else "")
            + " and delete its Kubernetes service account.",
            aliases, [t for tools in a.servers.values() for t in tools], systems, data, steps))
    services = [
        ("ci-deploy", "CI deploy role (GitHub Actions OIDC)", "Remove the OIDC trust from the role; revoke its sessions.",
         [role_arn("ci-deploy"), "system:serviceaccount:ci:deployer"]
         + [f"repo:acme/{r}:ref:refs/heads/main" for r in ("payments-api", "web-frontend", "invoice-agent", "support-bot")],
         ["aws:ecr", "aws:eks", "aws:sts", K8S_SYSTEM, "github"],
         ["namespaces/payments/*", "namespaces/web/*", "namespaces/finance/*", "namespaces/support/*"]),
        ("backup-svc", "Nightly backup job (IAM user)", "Deactivate and delete the user's access keys.",
         [user_arn("backup-svc"), ids["backup_key_old"]], ["aws:s3"],
         ["arn:aws:s3:::acme-prod-orders/*", "arn:aws:s3:::acme-backups/*"]),
        ("ops-admin", "Break-glass operations role", "Revoke role sessions; tighten the trust policy.",
         [role_arn("ops-admin")], ["aws:*"], []),
        ("report-generator", "Daily KPI report Lambda", "Revoke role sessions; disable the function.",
         [role_arn("report-generator")], ["aws:s3"], ["arn:aws:s3:::acme-analytics/*", "arn:aws:s3:::acme-reports/*"]),
        ("eks-nodes", "EKS worker node instance role", "Revoke role sessions; cordon and replace nodes.",
         [role_arn("eks-node-prod-use1")], ["aws:ecr"], []),
        ("aws-managed-services", "AWS services acting in the account", "Not revocable: managed by AWS.",
         ["ec2.amazonaws.com", "lambda.amazonaws.com", "kms.amazonaws.com"], ["aws:*"], []),
        ("prometheus", "Cluster monitoring", "Delete the service account.",
         ["system:serviceaccount:monitoring:prometheus"], [K8S_SYSTEM], []),
        ("kube-controller-manager", "Kubernetes control plane", "Not revocable: control plane.",
         ["system:kube-controller-manager"], [K8S_SYSTEM], []),
    ]
    for id_, display, revocation, aliases, systems, data in services:
        items.append(_identity(id_, "service", display, "cto@acme.example", "platform@acme.example", revocation,
                               aliases, [], systems, data))
    items += extra or []
    return {"production": PRODUCTION, "identities": items}


def dump_inventory(inv: dict[str, Any]) -> str:
    head = ("# Identity inventory: who may act, who owns them, how to revoke them, what they may touch.\n"
            "# production: fnmatch globs over normalized target uids.\n")
    return head + yaml.safe_dump(inv, sort_keys=False, width=120, allow_unicode=True)
