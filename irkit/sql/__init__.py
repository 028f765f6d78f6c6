"""DuckDB queries, one per ``.sql`` file; each file's header says what it answers and what it binds."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def query(name: str) -> str:
    """The text of ``irkit/sql/<name>.sql``."""
    return files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
