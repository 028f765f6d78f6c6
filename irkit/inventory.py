"""The identity inventory: who each identity is, who owns it, how to revoke it, what it may do.

A YAML file (see ``sample_data/invoice-agent-incident/inventory.yaml``)::

    production: ["arn:aws:s3:::acme-prod-*", "namespaces/payments/*"]   # glob patterns over resource uids
    identities:
      - id: invoice-agent
        kind: agent                      # human | service | agent
        display_name: Invoice processing agent
        business_owner: jane.doe@acme.example
        technical_owner: platform-ai@acme.example
        revocation_path: "Revoke role sessions; deactivate the Okta app; suspend the GitHub App"
        revocation_steps: [{system: aws:iam, action: Revoke role sessions, target: arn:aws:iam::...}]
        aliases: [arn:aws:iam::111122223333:role/invoice-agent, 0oa..., invoice-agent[bot]]
        scope: {tools: [read_document], systems: [aws:s3, mcp:docs], data: ["arn:aws:s3:::acme-invoices-inbox/*"]}

Errors name the file and the line. Aliases match case-insensitively. The YAML is read with limits on
size, aliases and depth (:mod:`irkit.safeyaml`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from irkit.errors import InventoryError
from irkit.safeyaml import compose

KINDS = ("human", "service", "agent")
_TEXT_FIELDS = ("display_name", "business_owner", "technical_owner", "revocation_path")
_LIST_FIELDS = ("tools", "systems", "data")


@dataclass(frozen=True)
class Identity:
    """One identity: declared in the inventory, or seen in the logs only (``declared`` false)."""

    id: str
    kind: str = "unknown"
    display_name: str | None = None
    business_owner: str | None = None
    technical_owner: str | None = None
    revocation_path: str | None = None
    revocation_steps: tuple[dict[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    declared: bool = True

    @property
    def ownership_gaps(self) -> list[str]:
        """What a responder would need and is missing: owners and a revocation path."""
        if not self.declared:
            return ["not in inventory"]
        return [name for name in ("business_owner", "technical_owner", "revocation_path") if not getattr(self, name)]

    def may_use_tool(self, tool: str) -> bool:
        return any(fnmatch.fnmatchcase(tool, pattern) for pattern in self.tools)

    def may_reach_system(self, system: str) -> bool:
        return any(system == s or system.startswith(s + ":") or fnmatch.fnmatchcase(system, s) for s in self.systems)

    def may_touch(self, resource: str) -> bool:
        return any(fnmatch.fnmatchcase(resource, pattern) for pattern in self.data)


@dataclass
class Inventory:
    """Every declared identity, the alias index over them, and the production data patterns."""

    identities: dict[str, Identity] = field(default_factory=dict)
    production: tuple[str, ...] = ()
    path: str | None = None
    #: True for the inventory irkit learned from the logs (:mod:`irkit.inventory_draft`): its aliases and
    #: production patterns are heuristics, and none of its identities is declared.
    learned: bool = False

    def __post_init__(self) -> None:
        self._by_alias: dict[str, str] = {}
        for ident in self.identities.values():
            for alias in (ident.id, *ident.aliases):
                self._by_alias.setdefault(alias.lower(), ident.id)

    def resolve(self, name: str) -> Identity | None:
        """The identity with this id or alias (case-insensitive), or None."""
        found = self._by_alias.get(name.lower())
        return self.identities[found] if found else None

    def is_production(self, resource: str | None) -> bool:
        return bool(resource) and any(fnmatch.fnmatchcase(resource, p) for p in self.production)  # type: ignore[arg-type]

    def alias_table(self) -> pa.Table:
        """``(alias, identity_id)`` with lower-cased aliases, for joins in DuckDB."""
        pairs = sorted(self._by_alias.items())
        return pa.table({"alias": [a for a, _ in pairs], "identity_id": [i for _, i in pairs]},
                        schema=pa.schema([("alias", pa.string()), ("identity_id", pa.string())]))

    def identity_table(self) -> pa.Table:
        rows = [
            {"identity_id": i.id, "kind": i.kind, "display_name": i.display_name,
             "business_owner": i.business_owner, "technical_owner": i.technical_owner,
             "revocation_path": i.revocation_path, "tools": list(i.tools), "systems": list(i.systems),
             "data": list(i.data)}
            for i in self.identities.values() if i.declared  # learned identities are not declared
        ]
        return pa.Table.from_pylist(rows, schema=IDENTITY_SCHEMA)

    def production_table(self) -> pa.Table:
        return pa.table({"pattern": pa.array(list(self.production), pa.string())})


IDENTITY_SCHEMA = pa.schema(
    [("identity_id", pa.string()), ("kind", pa.string()), ("display_name", pa.string()),
     ("business_owner", pa.string()), ("technical_owner", pa.string()), ("revocation_path", pa.string()),
     ("tools", pa.list_(pa.string())), ("systems", pa.list_(pa.string())), ("data", pa.list_(pa.string()))]
)


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InventoryError(f"cannot read inventory: {reason}", path=path) from exc
    return _Reader(path).inventory(compose(text, path, InventoryError))


class _Reader:
    """Validates the YAML node tree so every error can point at its line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> InventoryError:
        line = node.start_mark.line + 1 if node is not None else None
        return InventoryError(message, path=self.path, line=line)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, f"{what}: keys must be plain names")
            if key.value in out:
                raise self.fail(key, f"{what}: {key.value!r} given twice")
            out[key.value] = value
        return out

    def text(self, node: yaml.Node | None, what: str) -> str | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return None
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be text")
        return str(node.value).strip() or None

    def texts(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        values = [self.text(item, f"{what} entries") for item in node.value]
        return tuple(v for v in values if v)

    def inventory(self, root: yaml.Node | None) -> Inventory:
        if root is None:
            raise InventoryError("the inventory is empty", path=self.path)
        top = self.mapping(root, "the inventory")
        unknown = set(top) - {"identities", "production"}
        if unknown:
            key = sorted(unknown)[0]
            raise self.fail(top[key], f"unknown top-level key {key!r} (expected identities, production)")
        if "identities" not in top or not isinstance(top["identities"], yaml.SequenceNode):
            raise self.fail(top.get("identities", root), "identities must be a list")
        identities: dict[str, Identity] = {}
        for node in top["identities"].value:
            ident = self.identity(node)
            if ident.id in identities:
                raise self.fail(node, f"identity {ident.id!r} declared twice")
            identities[ident.id] = ident
        return Inventory(identities, self.texts(top.get("production"), "production"), str(self.path))

    def identity(self, node: yaml.Node) -> Identity:
        fields = self.mapping(node, "an identity")
        known = {"id", "kind", "aliases", "scope", "revocation_steps", *_TEXT_FIELDS}
        for key, value in fields.items():
            if key not in known:
                raise self.fail(value, f"unknown identity field {key!r}")
        ident_id = self.text(fields.get("id"), "id")
        if not ident_id:
            raise self.fail(node, "every identity needs an id")
        kind = self.text(fields.get("kind"), "kind") or ""
        if kind not in KINDS:
            raise self.fail(fields.get("kind", node), f"identity {ident_id!r}: kind must be one of {', '.join(KINDS)}")
        scope = self.mapping(fields["scope"], "scope") if "scope" in fields else {}
        for key, value in scope.items():
            if key not in _LIST_FIELDS:
                raise self.fail(value, f"unknown scope field {key!r} (expected tools, systems, data)")
        steps: list[dict[str, str]] = []
        if "revocation_steps" in fields:
            seq = fields["revocation_steps"]
            if not isinstance(seq, yaml.SequenceNode):
                raise self.fail(seq, "revocation_steps must be a list")
            for step in seq.value:
                steps.append({k: self.text(v, k) or "" for k, v in self.mapping(step, "a revocation step").items()})
        texts: dict[str, Any] = {name: self.text(fields.get(name), name) for name in _TEXT_FIELDS}
        return Identity(
            id=ident_id, kind=kind, revocation_steps=tuple(steps),
            aliases=self.texts(fields.get("aliases"), "aliases"),
            tools=self.texts(scope.get("tools"), "scope.tools"),
            systems=self.texts(scope.get("systems"), "scope.systems"),
            data=self.texts(scope.get("data"), "scope.data"),
            **texts,
        )
