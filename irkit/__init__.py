"""irkit: incident-response forensics for AI agents.

>>> import irkit
>>> case = irkit.open_case("cases/demo")          # doctest: +SKIP
>>> case.ingest(["sample_data/invoice-agent-incident/evidence"])  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from irkit.case import Case, open_case
from irkit.errors import (
    CaseError,
    EvidenceError,
    InventoryError,
    IrkitError,
    UnknownFormatError,
    UnsafeArchiveError,
    UsageError,
)

__all__ = [
    "Case",
    "CaseError",
    "EvidenceError",
    "InventoryError",
    "IrkitError",
    "UnknownFormatError",
    "UnsafeArchiveError",
    "UsageError",
    "__version__",
    "open_case",
]
