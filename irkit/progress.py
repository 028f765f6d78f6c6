"""Progress bars that work in a terminal and in Jupyter, and stay silent elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool | None = None) -> Iterator[Any]:
    """A byte-counting bar; ``enabled=None`` shows it only on an interactive terminal or in Jupyter."""
    if enabled is None:
        enabled = sys.stderr.isatty() or _in_jupyter()
    if not enabled or total <= 0:
        yield _Silent()
        return
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    with tqdm(total=total, desc=desc, unit="B", unit_scale=True, leave=False) as bar:
        yield bar


def _in_jupyter() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()  # type: ignore[attr-defined]
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"
