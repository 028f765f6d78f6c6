"""Seven ordinary days around the incident (2026-11-14 to 2026-11-20): the people signing in through Okta and
into Microsoft 365, the agent's ordinary conversations, payroll-sync's own twice-daily job with secret C, CI
deployments, a nightly backup principal, and identity administration on other days. The records that share an
identity or an operation with the attack are collected as ``benign_shared``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import DAY, HOUR, MINUTE, MS, SECOND, ns_of
from . import _microsoft as ms
from ._entra_okta_world import (
    BROWSER_UA,
    CI_IP,
    FUNC_BLOB_UA,
    FUNC_IP,
    FUNC_KV_CLIENT,
    KV_CLIENT,
    OFFICE_IP,
    START,
    Human,
    app_target,
    at,
    benign_conversation,
    blob_read,
    consent_target,
    kv_read,
    okta_admin,
    okta_code_token,
    okta_login,
    okta_sso,
    okta_user,
    okta_user_event,
    sp_signin,
    user_signin,
)

if TYPE_CHECKING:
    from .entra_okta_agent import Story

JsonObj = dict[str, Any]

# ---------------------------------------------------------------- background: seven ordinary days
def background(st: Story) -> None:
    ev, w = st.ev, st.ev.w
    ids = w.ids
    rng = ids.rng
    revoked = max(int(r["at_ns"]) for r in st.revocations)
    benign: list[tuple[int, str, str, str]] = []
    st.vals["benign_shared"] = benign
    payroll, ci, backup = w.apps["payroll-sync"], w.apps["ci-deployer"], w.apps["backup-runner"]
    for d in range(7):
        day = START + d * DAY
        weekday = (d + 5) % 7 < 5  # 2026-11-14 is a Saturday
        # payroll-sync's own job, secret C: 02:10 and 14:10 every day
        for hour in (2, 14):
            t = day + hour * HOUR + 10 * MINUTE + rng.randint(0, 40) * SECOND + rng.randint(0, 999) * MS
            run = [sp_signin(ev, t, payroll, "C", ms.KEYVAULT_APP, FUNC_IP),
                   kv_read(ev, t + 640 * MS, payroll, "SecretGet", "payroll-db-conn", FUNC_IP, FUNC_KV_CLIENT),
                   sp_signin(ev, t + 1_900 * MS, payroll, "C", ms.STORAGE_APP, FUNC_IP),
                   blob_read(ev, t + 2_700 * MS, payroll, None, FUNC_IP, FUNC_BLOB_UA),
                   blob_read(ev, t + 3_350 * MS, payroll, "2026-11/payroll-register-2026-11.csv", FUNC_IP, FUNC_BLOB_UA)]
            if t > st.vals["compromise_ns"]:
                benign.extend((ns, uid, "payroll-sync", "payroll-sync's scheduled run with its own secret C")
                              for ns, uid in run)
        # backup-runner, nightly
        sp_signin(ev, day + HOUR + rng.randint(0, 300) * SECOND, backup, "F", ms.STORAGE_APP, FUNC_IP)
        if not weekday:
            continue
        # CI deploys: certificate sign-in to ARM, a deployment, a Key Vault read
        for _ in range(rng.randint(3, 6)):
            t = day + rng.randint(8 * 3600, 17 * 3600) * SECOND + rng.randint(0, 999) * MS
            sp_signin(ev, t, ci, None, ms.ARM_APP, CI_IP)
            dep = w.rg("rg-finance-apps") + f"/providers/Microsoft.Resources/deployments/app-expense-{ids.hex(6)}"
            ev.arm(t + 3 * SECOND, lambda ns, dep=dep: ms.activity_pair(
                ids, ns, subscription=w.subscription, tenant=w.tenant, resource_id=dep,
                operation="Microsoft.Resources/deployments/write",
                claims=ms.app_claims(w.tenant, ci.sp_id, ci.app_id, CI_IP, ids, ns), caller=ci.sp_id, ip=CI_IP,
                status_code="Created", duration_ns=41 * SECOND))
            sp_signin(ev, t + 50 * SECOND, ci, None, ms.KEYVAULT_APP, CI_IP)
            kv_read(ev, t + 51 * SECOND, ci, "SecretGet", "expense-agent-config", CI_IP, KV_CLIENT, w.finance_vault_rid)
        # humans: Okta sign-in, Office 365 (federated into Entra), the analysts' Expense Assistant
        for key, h in w.humans.items():
            if key == "maya.lindqvist" and d == 4:
                first = ns_of("2026-11-18T08:04:12.310Z")
            else:
                first = day + rng.randint(7 * 3600 + 1800, 9 * 3600) * SECOND + rng.randint(0, 999) * MS
            session, login = okta_login(ev, first, h)
            t = first + rng.randint(15, 40) * SECOND
            sso = okta_sso(ev, t, h, session, w.okta["o365"], "Microsoft Office 365", "WS_FEDERATION")
            office = user_signin(ev, t + 2 * SECOND, h, ms.OFFICE_HOME_APP, ms.OFFICE_HOME_APP)
            if key == "maya.lindqvist" and first > revoked:
                # clearing her sessions ended them; it did not disable her: a new session the next morning
                benign.extend((ns, uid, key, "Maya signs in again after her Okta sessions were cleared (a new session)")
                              for ns, uid in (*login, sso, office))
            for _ in range(rng.randint(2, 5)):
                user_signin(ev, t + rng.randint(600, 8 * 3600) * SECOND, h, ms.TEAMS_APP, ms.GRAPH_APP,
                            interactive=False)
            if key in ("maya.lindqvist", "ravi.patel"):
                for _ in range(rng.randint(1, 3)):
                    c = first + rng.randint(2 * 3600, 8 * 3600) * SECOND + rng.randint(0, 999) * MS
                    if c + 15 * MINUTE >= revoked or (d == 4 and c > at("12:30:00")):
                        continue  # the agent is disabled after the revocation; the story owns 11-18 afternoon
                    okta_sso(ev, c - 50 * SECOND, h, session, w.okta["expense_assistant"], "Expense Assistant",
                             "OPENID_CONNECT")
                    okta_code_token(ev, c - 49 * SECOND, h, session)
                    benign_conversation(ev, c, h)
            if key in ("sam.ito", "priya.raman", "tom.becker"):
                p = first + rng.randint(3600, 6 * 3600) * SECOND
                user_signin(ev, p, h, ms.AZURE_PORTAL_APP, ms.AZURE_PORTAL_APP)
                if key == "sam.ito":
                    site = w.rg("rg-finance-apps") + "/providers/Microsoft.Web/sites/app-expense-assistant"
                    ev.arm(p + 95 * SECOND, lambda ns, site=site, h=h: ms.activity_pair(
                        ids, ns, subscription=w.subscription, tenant=w.tenant, resource_id=site,
                        operation="Microsoft.Web/sites/restart/action",
                        claims=ms.user_claims(w.tenant, h.entra_id, h.email, h.display, OFFICE_IP, ids, ns),
                        caller=h.email, ip=OFFICE_IP, status_code="OK", duration_ns=6 * SECOND))
    _admin_days(st)


def _admin_days(st: Story) -> None:
    """Legitimate identity administration on other days: the noise around credentials and roles."""
    ev, w = st.ev, st.ev.w
    ids = w.ids
    priya, sam, lena, ravi = (w.humans[k] for k in ("priya.raman", "sam.ito", "lena.okafor", "ravi.patel"))
    hr, ci = w.apps["hr-reporting"], w.apps["ci-deployer"]

    def audit(clock: str, activity: str, category: str, op: str, who: Human, targets: list[JsonObj]) -> tuple[int, str]:
        return ev.audit(ns_of(clock), lambda ns: ms.directory_audit(
            ids, ns, activity=activity, category=category, operation_type=op,
            initiated_by=ms.by_user(who.entra_id, who.email, OFFICE_IP), user_agent=BROWSER_UA, targets=targets))

    cert = ms.key_description(ci.keys["cert-2027"], "AsymmetricX509Cert", "Verify", "CN=ci-deployer-2027")
    audit("2026-11-16T09:31:07.118Z", "Add service principal credentials", "ApplicationManagement", "Update", sam,
          [ms.target(ci.sp_id, "ServicePrincipal", "ci-deployer", [
              ms.prop("KeyDescription", [], [cert]), ms.prop("Included Updated Properties", None, "KeyDescription")])])
    audit("2026-11-16T11:02:44.930Z", "Consent to application", "ApplicationManagement", "Assign", ravi,
          [ms.target(ids.uuid4(), "ServicePrincipal", "Adobe Acrobat", [
              ms.prop("ConsentContext.IsAdminConsent", None, "False"), ms.prop("ConsentContext.IsAppOnly", None, "False"),
              ms.prop("ConsentContext.OnBehalfOfAll", None, "False"),
              ms.prop("ConsentAction.Permissions", None,
                      f"[] => [[Id: {ids.b64(32, urlsafe=True, pad=False)}, ClientId: {ids.uuid4()}, PrincipalId: "
                      f"{ravi.entra_id}, ResourceId: {w.resource_sp[ms.GRAPH_APP]}, ConsentType: Principal, "
                      "Scope:  User.Read Files.Read offline_access, CreatedDateTime: , LastModifiedDateTime ]]; ")])])
    audit("2026-11-17T10:15:20.402Z", "Add member to role", "RoleManagement", "Assign", priya,
          [ms.target(sam.entra_id, "User", None, [
              ms.prop("Role.ObjectID", None, ids.uuid4()), ms.prop("Role.DisplayName", None, "Application Administrator"),
              ms.prop("Role.TemplateId", None, "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
              ms.prop("Role.WellKnownObjectName", None, "ApplicationAdministrator")], upn=sam.email)])
    audit("2026-11-17T15:40:03.771Z", "Update user", "UserManagement", "Update", priya,
          [ms.target(ravi.entra_id, "User", None, [ms.prop("Department", ["Finance"], ["Finance Operations"]),
                                                   ms.prop("Included Updated Properties", None, "Department")],
                     upn=ravi.email)])
    d = ms.key_description(hr.keys["D"], "Password", "Verify", "hr-reporting-2025")
    e = ms.key_description(hr.keys["E"], "Password", "Verify", "rotation-2026-11")
    user_signin(ev, ns_of("2026-11-19T10:20:05.310Z"), priya, ms.AZURE_PORTAL_APP, ms.AZURE_PORTAL_APP)
    t_, uid = audit("2026-11-19T10:22:41.583Z", "Update application \u2013 Certificates and secrets management",
                    "ApplicationManagement", "Update", priya,
                    [ms.target(hr.obj_id, "Application", "hr-reporting", [
                        ms.prop("KeyDescription", [d], [d, e]),
                        ms.prop("Included Updated Properties", None, "KeyDescription")])])
    ev.mark("admin_secret_add", "entra_audit", t_, uid, actor="priya.raman", credential=hr.keys["E"])
    st.vals["benign_shared"].append((t_, uid, "priya.raman", "an administrator adds a secret to hr-reporting"))
    # Okta administration: a consent for the agent's Okta app, a read-only admin role for Sam
    session, _ = okta_login(ev, ns_of("2026-11-16T09:58:40.220Z"), lena)
    # an admin grants the agent's Okta service app an Okta API scope (org authorization server: admin consent)
    okta_admin(ev, ns_of("2026-11-16T10:05:12.664Z"), lena, session, "app.oauth2.admin.consent.grant",
               "Admin consent is granted", None,
               [consent_target(ids, "okta.groups.read", w.okta["agent_client"], None),
                app_target(w.okta["agent_client"], "expense-agent directory", "OAUTH_2_0")],
               f"/api/v1/apps/{w.okta['agent_client']}/grants")
    # Maya consents to a new Expense Assistant scope at its custom authorization server (user consent)
    maya = w.humans["maya.lindqvist"]
    m_session, _ = okta_login(ev, ns_of("2026-11-16T12:31:40.905Z"), maya)
    okta_user_event(ev, ns_of("2026-11-16T12:32:02.118Z"), maya, m_session, "app.oauth2.as.consent.grant",
                    "A consent is granted", None,
                    [consent_target(ids, "expenses.reconcile", w.okta["expense_assistant"], maya.okta_id)],
                    {"requestUri": f"/oauth2/{w.okta['custom_as']}/v1/authorize",
                     "url": f"/oauth2/{w.okta['custom_as']}/v1/authorize?", "clientId": w.okta["expense_assistant"],
                     "scopes": "expenses.reconcile"})
    okta_admin(ev, ns_of("2026-11-17T14:12:09.118Z"), lena, session, "user.account.privilege.grant",
               "Grant user privilege", "core.user.admin_privilege.granted",
               [okta_user(sam), {"id": "ra" + ids.b62(18), "type": "ROLE", "alternateId": "READ_ONLY_ADMIN",
                               "displayName": "Read-only Administrator", "detailEntry": None}],
               f"/api/v1/users/{sam.okta_id}/roles")

