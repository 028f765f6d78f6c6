from __future__ import annotations

import pytest

import irkit
from tests.sample import build_case


@pytest.fixture(scope="session")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    """The sample incident ingested once, with its inventory and incident file (read-only for tests)."""
    return build_case(tmp_path_factory.mktemp("sample") / "case")
