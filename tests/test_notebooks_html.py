"""A playbook exported as people share it: ``jupyter nbconvert --to html --execute``. Its figures must
be in the HTML (plotly's mimetype alone renders only inside JupyterLab, and such an export is blank)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_nbconvert_html_holds_the_plotly_figures(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", "--output-dir", str(tmp_path),
         "--ExecutePreprocessor.timeout=600", str(NOTEBOOKS / "01_contain_0-24h.ipynb")],
        capture_output=True, text=True, timeout=900, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "01_contain_0-24h.html").read_text(encoding="utf-8")
    divs = re.findall(r'class="plotly-graph-div" id="([0-9a-f-]{36})"', html)
    assert len(divs) == 2, divs  # the sessions figure and the timeline
    assert all(f'document.getElementById("{d}")' in html for d in divs)  # each one drawn by its own call
    assert "Plotly.newPlot" in html and re.search(r"plotly\.js v\d", html)  # plotly.js travels with the page
    assert "Traceback (most recent call last)" not in html
