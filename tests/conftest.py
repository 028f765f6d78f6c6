from __future__ import annotations

import sys

import pytest

import irkit
from tests.sample import build_case


@pytest.fixture(scope="session")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    """The sample incident ingested once, with its inventory and incident file (read-only for tests)."""
    return build_case(tmp_path_factory.mktemp("sample") / "case")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The conformance corpus' per-format read / loaded / quarantined table, when those tests ran."""
    conformance = sys.modules.get("tests.test_conformance")
    if conformance is not None and conformance.RESULTS:
        terminalreporter.section("conformance corpus")
        terminalreporter.write_line(conformance._table())
