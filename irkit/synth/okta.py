"""Okta System Log: one ``/api/v1/logs`` LogEvent object per line, in the API's key order.

Service apps using the client-credentials grant act as themselves (actor type ``PublicClientApp``)
and carry ``externalSessionId: "unknown"``, as Okta writes it.
"""

from __future__ import annotations

from typing import Any

from ._util import Ids, iso_ms
from .cast import GEO_ASHBURN, GEO_OFFICE, OKTA, Human

JsonObj = dict[str, Any]

_AWS_SEC = {"asNumber": 14618, "asOrg": "amazon.com inc.", "isp": "amazon.com inc.", "domain": "amazonaws.com",
            "isProxy": False}
_CORP_SEC = {"asNumber": 64496, "asOrg": "acme corp", "isp": "example transit", "domain": "acme.example",
             "isProxy": False}


def _client(ua: str, os_: str, browser: str, ip: str, geo: JsonObj, client_id: str | None,
            device: str) -> JsonObj:
    return {"userAgent": {"rawUserAgent": ua, "os": os_, "browser": browser}, "zone": "null", "device": device,
            "id": client_id, "ipAddress": ip, "geographicalContext": geo}


def _auth(session: str, *, provider: str | None = None, cred_provider: str | None = None,
          cred_type: str | None = None, interface: str | None = None, step: int = 0) -> JsonObj:
    return {"authenticationProvider": provider, "credentialProvider": cred_provider, "credentialType": cred_type,
            "issuer": None, "interface": interface, "authenticationStep": step, "externalSessionId": session}


def event(ids: Ids, ns: int, *, actor: JsonObj, client: JsonObj, auth: JsonObj, event_type: str, display: str,
          legacy: str | None, ip: str, geo: JsonObj, security: JsonObj, debug: JsonObj,
          target: list[JsonObj] | None, outcome: tuple[str, str | None] = ("SUCCESS", None),
          transaction: str = "WEB") -> JsonObj:
    request_id = ids.b64(20, urlsafe=True, pad=False)
    return {
        "actor": actor,
        "client": client,
        "device": None,
        "authenticationContext": auth,
        "displayMessage": display,
        "eventType": event_type,
        "outcome": {"result": outcome[0], "reason": outcome[1]},
        "published": iso_ms(ns),
        "securityContext": security,
        "severity": "INFO" if outcome[0] == "SUCCESS" else "WARN",
        "debugContext": {"debugData": {"requestId": request_id, **debug}},
        "legacyEventType": legacy,
        "transaction": {"type": transaction, "id": request_id, "detail": {}},
        "uuid": ids.uuid1ish(),
        "version": "0",
        "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4", "source": None}]},
        "target": target,
    }


def user_actor(h: Human) -> JsonObj:
    return {"id": h.okta_id, "type": "User", "alternateId": h.email, "displayName": h.display, "detailEntry": None}


def app_target(app_id: str, label: str, sign_on: str | None = "SAML_2_0") -> JsonObj:
    return {"id": app_id, "type": "AppInstance", "alternateId": label, "displayName": label,
            "detailEntry": {"signOnModeType": sign_on} if sign_on else None}


# ---------------------------------------------------------------- human events
def _human_client(h: Human) -> JsonObj:
    return _client(h.browser_ua, h.os, h.browser, h.ip, GEO_OFFICE, None, "Computer")


def session_start(ids: Ids, ns: int, h: Human, session: str) -> JsonObj:
    return event(ids, ns, actor=user_actor(h), client=_human_client(h),
                 auth=_auth(session, provider="OKTA_AUTHENTICATION_PROVIDER",
                            cred_provider="OKTA_CREDENTIAL_PROVIDER", cred_type="PASSWORD"),
                 event_type="user.session.start", display="User login to Okta",
                 legacy="core.user_auth.login_success", ip=h.ip, geo=GEO_OFFICE, security=_CORP_SEC,
                 debug={"requestUri": "/idp/idx/identify", "url": "/idp/idx/identify?",
                        "deviceFingerprint": ids.hex(32), "threatSuspected": "false"},
                 target=None)


def mfa(ids: Ids, ns: int, h: Human, session: str) -> JsonObj:
    return event(ids, ns, actor=user_actor(h), client=_human_client(h),
                 auth=_auth(session, provider="FACTOR_PROVIDER", cred_provider="OKTA_CREDENTIAL_PROVIDER",
                            cred_type="OTP", step=0),
                 event_type="user.authentication.auth_via_mfa", display="Authentication of user via MFA",
                 legacy="core.user.factor.attempt_success", ip=h.ip, geo=GEO_OFFICE, security=_CORP_SEC,
                 debug={"requestUri": "/idp/idx/challenge/answer", "url": "/idp/idx/challenge/answer?",
                        "factor": "OKTA_VERIFY_PUSH", "threatSuspected": "false"},
                 target=[{"id": ids.okta_id("opf"), "type": "AuthenticatorEnrollment",
                          "alternateId": "unknown", "displayName": "Okta Verify", "detailEntry": None}])


def sso(ids: Ids, ns: int, h: Human, session: str, app_id: str, label: str) -> JsonObj:
    return event(ids, ns, actor=user_actor(h), client=_human_client(h), auth=_auth(session),
                 event_type="user.authentication.sso", display="User single sign on to app",
                 legacy="app.auth.sso", ip=h.ip, geo=GEO_OFFICE, security=_CORP_SEC,
                 debug={"requestUri": f"/app/{label.lower().replace(' ', '')}/{app_id}/sso/saml",
                        "url": f"/app/{label.lower().replace(' ', '')}/{app_id}/sso/saml?",
                        "initiationType": "IDP_INITIATED", "signOnMode": "SAML 2.0"},
                 target=[app_target(app_id, label),
                         {"id": ids.okta_id("0ua"), "type": "AppUser", "alternateId": h.email,
                          "displayName": h.display, "detailEntry": None}])


def session_end(ids: Ids, ns: int, h: Human, session: str) -> JsonObj:
    return event(ids, ns, actor=user_actor(h), client=_human_client(h), auth=_auth(session),
                 event_type="user.session.end", display="User logout from Okta",
                 legacy="core.user_auth.logout_success", ip=h.ip, geo=GEO_OFFICE, security=_CORP_SEC,
                 debug={"requestUri": "/login/signout", "url": "/login/signout?"}, target=None)


def app_deactivate(ids: Ids, ns: int, h: Human, session: str, app_id: str, label: str) -> JsonObj:
    return event(ids, ns, actor=user_actor(h), client=_human_client(h), auth=_auth(session),
                 event_type="application.lifecycle.deactivate", display="Deactivate application",
                 legacy="app.generic.config.app_deactivated", ip=h.ip, geo=GEO_OFFICE, security=_CORP_SEC,
                 debug={"requestUri": f"/api/v1/apps/{app_id}/lifecycle/deactivate",
                        "url": f"/api/v1/apps/{app_id}/lifecycle/deactivate?"},
                 target=[app_target(app_id, label, "OAUTH_2_0")])


# ---------------------------------------------------------------- service-app token grants
def token_grant(ids: Ids, ns: int, *, client_id: str, app_label: str, as_id: str, as_name: str,
                scopes: str, ip: str, org_server: bool = False,
                outcome: tuple[str, str | None] = ("SUCCESS", None)) -> JsonObj:
    """Client-credentials access token. Custom servers log `app.oauth2.as.*`; the org server
    (which mints `okta.*` management scopes) logs `app.oauth2.token.*`."""
    path = "/oauth2/v1/token" if org_server else f"/oauth2/{as_id}/v1/token"
    ok = outcome[0] == "SUCCESS"
    debug: JsonObj = {"requestUri": path, "url": path + "?", "grantType": "client_credentials",
                      "requestedScopes": scopes, "clientAuthType": "private_key_jwt",
                      "authorizationServerName": as_name}
    if ok:
        debug["grantedScopes"] = scopes
        debug["tokenExpiresAt"] = iso_ms(ns + 3600 * 10**9)
    prefix = "app.oauth2.token.grant" if org_server else "app.oauth2.as.token.grant"
    return event(
        ids, ns,
        actor={"id": client_id, "type": "PublicClientApp", "alternateId": client_id, "displayName": app_label,
               "detailEntry": None},
        client=_client("okta-sdk-python/2.9.8 python/3.12.7 Linux/6.1.109", "Linux", "UNKNOWN", ip,
                       GEO_ASHBURN, client_id, "Unknown"),
        auth=_auth("unknown"), event_type=f"{prefix}.access_token" if ok else prefix,
        display="OAuth2 access token is granted" if ok else "OAuth2 access token request failed",
        legacy=None, ip=ip, geo=GEO_ASHBURN, security=_AWS_SEC, debug=debug, outcome=outcome,
        target=[{"id": as_id, "type": "AuthorizationServer",
                 "alternateId": f"https://{OKTA}" if org_server else f"https://{OKTA}/oauth2/{as_id}",
                 "displayName": as_name, "detailEntry": None},
                {"id": "AT." + ids.b64(30, urlsafe=True, pad=False), "type": "access_token",
                 "alternateId": "unknown", "displayName": "Access Token",
                 "detailEntry": {"expires": iso_ms(ns + 3600 * 10**9), "subject": client_id,
                                 "hash": ids.b64(16, urlsafe=True, pad=False)}}] if ok else
        [{"id": as_id, "type": "AuthorizationServer", "alternateId": f"https://{OKTA}",
          "displayName": as_name, "detailEntry": None}],
        transaction="WEB")
