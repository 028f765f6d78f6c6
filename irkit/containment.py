"""Containment steps people can act on: each open credential named in words (kind, name or title,
owner, where it lives) with the vendor's revocation step and how to verify it, as text to run by hand.

Nothing here runs a command. The vendor is chosen from normalized fields only: the credential's kind
and the system of the records that name it (``aws:iam``, ``github``, ``gcp:iam``, ``entra``, ...), never
from a source's raw record. A kind or system without a known step says so and points to the inventory's
revocation path.
"""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from typing import Any

import duckdb
import polars as pl

from irkit.db import frame
from irkit.inventory import Inventory
from irkit.sql import query

KIND_WORDS = {
    "access_key": "long-lived access key", "session_token": "temporary session credentials",
    "service_account_key": "service-account key", "oauth_token": "OAuth token", "oauth_client": "OAuth client",
    "app_secret": "application client secret", "certificate": "application certificate",
    "federated_credential": "federated identity credential", "personal_access_token": "personal access token",
    "deploy_key": "deploy key", "ssh_key": "SSH key", "installation_token": "app installation token",
    "api_token": "API token", "service_account_token": "service-account token", "password": "password",
    "mfa_device": "MFA factor", "other": "credential",
}

# (kind, system family) -> (revocation step, how to verify), from containment_steps.tsv (data, one row
# per kind of credential and system); {name}, {principal}, {uid}, {last} are filled in.
def _steps() -> dict[tuple[str, str], tuple[str, str]]:
    text = files("irkit").joinpath("containment_steps.tsv").read_text(encoding="utf-8")
    return {(r["kind"], r["system"]): (r["step"], r["verify"]) for r in csv.DictReader(io.StringIO(text), delimiter="\t")}


STEPS = _steps()


def _family(system: str | None) -> str:
    return (system or "").split(":", 1)[0]


def _owner(inventory: Inventory, principal: str | None, identity: str | None) -> str:
    ident = (inventory.resolve(principal) if principal else None) or (inventory.identities.get(identity) if identity else None)
    if ident is None:
        return f"{principal} (not in the inventory: no owner declared)" if principal else "no owner: not in the inventory"
    owners = [o for o in (ident.technical_owner, ident.business_owner) if o]
    return f"{ident.id} ({', '.join(owners)})" if owners else f"{ident.id} (no owner declared)"


def step_for(kind: str | None, system: str | None, uid: str, name: str | None, principal: str | None) -> tuple[str, str] | None:
    """The vendor's revocation step and its check for a credential, from its normalized kind and system."""
    found = STEPS.get((kind or "", _family(system)))
    if found is None:
        return None
    values = {"uid": uid, "name": name or "<its title>", "principal": principal or "<its owner>",
              "last": (principal or uid).rstrip("/").split("/")[-1] if kind == "access_key" else uid.rstrip("/").split("/")[-1]}
    return found[0].format(**values), found[1].format(**values)


ACTION_COLUMNS = ("status", "item", "what", "name", "owner", "lives_in", "step", "verify", "revocation_path")


def containment_actions(con: duckdb.DuckDBPyConnection, inventory: Inventory, checklist: pl.DataFrame) -> pl.DataFrame:
    """One row per credential on the checklist that is not quiet after a revocation (see ACTION_COLUMNS)."""
    open_items = checklist.filter((pl.col("kind") == "credential") & (pl.col("status") != "quiet"))
    facts = frame(con, query("containment_credentials"), {"uids": open_items["item"].to_list()})
    by_uid = {r["uid"]: r for r in facts.iter_rows(named=True)}
    rows: list[dict[str, Any]] = []
    for r in open_items.iter_rows(named=True):
        f = by_uid.get(r["item"], {})
        kind, system = f.get("kind"), f.get("created_in") or f.get("seen_in")
        principal = f.get("principal_uid")
        found = step_for(kind, system, r["item"], f.get("name"), principal)
        what = KIND_WORDS.get(kind or "other", "credential")
        rows.append({
            "status": r["status"], "item": r["item"], "what": what, "name": f.get("name"),
            "owner": _owner(inventory, principal, r["identity"]),
            "lives_in": f"{system or 'unknown system'}" + (f", on {principal}" if principal else ""),
            "step": found[0] if found else f"no known step for this {what} in {system or 'an unknown system'}: "
                                           "follow the revocation path",
            "verify": found[1] if found else f"no event with {r['item']} after the step (irkit revocation)",
            "revocation_path": r["revocation_path"]})
    return pl.DataFrame(rows, schema={c: pl.String for c in ACTION_COLUMNS})
