"""The identity inventory: parsing, validation with line numbers, alias resolution, scope checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from irkit.errors import InventoryError
from irkit.inventory import load_inventory

GOOD = """\
production:
  - "arn:aws:s3:::acme-prod-*"
  - "namespaces/payments/*"
identities:
  - id: invoice-agent
    kind: agent
    display_name: Invoice processing agent
    business_owner: jane.doe@acme.example
    technical_owner: platform-ai@acme.example
    revocation_path: Revoke role sessions; deactivate the Okta app
    revocation_steps:
      - {system: "aws:iam", action: Revoke role sessions, target: "arn:aws:iam::111122223333:role/invoice-agent"}
    aliases: ["arn:aws:iam::111122223333:role/invoice-agent", "0oa1b2c3d4E5f6G7h8", "invoice-agent[bot]"]
    scope:
      tools: [read_document, "extract_*"]
      systems: ["aws:s3", "mcp:docs"]
      data: ["arn:aws:s3:::acme-invoices-inbox/*"]
  - id: backup-svc
    kind: service
    business_owner: ops@acme.example
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def test_parses_and_resolves_aliases_case_insensitively(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, GOOD))
    agent = inv.resolve("0OA1B2C3D4E5F6G7H8")
    assert agent is not None and agent.id == "invoice-agent"
    assert inv.resolve("invoice-agent") is agent
    assert agent.revocation_steps[0]["action"] == "Revoke role sessions"
    assert agent.ownership_gaps == []
    assert inv.resolve("backup-svc").ownership_gaps == ["technical_owner", "revocation_path"]  # type: ignore[union-attr]
    assert inv.resolve("nobody") is None


def test_scope_and_production_patterns(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, GOOD))
    agent = inv.resolve("invoice-agent")
    assert agent is not None
    assert agent.may_use_tool("extract_invoice") and not agent.may_use_tool("run_shell")
    assert agent.may_reach_system("mcp:docs") and not agent.may_reach_system("aws:iam")
    assert agent.may_touch("arn:aws:s3:::acme-invoices-inbox/2026/inv-1.pdf")
    assert inv.is_production("arn:aws:s3:::acme-prod-customer-data/export.csv")
    assert not inv.is_production("arn:aws:s3:::acme-invoices-inbox/x")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("identities:\n  - id: a\n    kind: robot\n", 3, "kind must be one of"),
        ("identities:\n  - kind: agent\n", 2, "needs an id"),
        ("identities:\n  - id: a\n    kind: agent\n    owner: x\n", 4, "unknown identity field 'owner'"),
        ("identities:\n  - id: a\n    kind: agent\n  - id: a\n    kind: human\n", 4, "declared twice"),
        ("identities:\n  - id: a\n    kind: agent\n    aliases: one\n", 4, "aliases must be a list"),
        ("identities: [\n", 2, "not valid YAML"),
        ("identitys: []\n", 1, "unknown top-level key"),
    ],
)
def test_malformed_inventory_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")
