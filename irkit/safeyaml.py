"""YAML from files a person (or an attacker) wrote: inventory, incident, field mappings.

``yaml.safe_load`` constructs no objects, but it still follows every alias and recurses into every
level: an alias bomb (a few hundred bytes of ``&a [*b, *b, ...]``) expands to gigabytes as soon as
anything walks it, and ten thousand nested brackets raise ``RecursionError``. :func:`compose` and
:func:`load` refuse, with the file and line, a document that

- is larger than :data:`MAX_BYTES`,
- uses more than :data:`MAX_ALIASES` aliases, or whose nodes, aliases expanded, number more than
  :data:`MAX_NODES`,
- nests deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from irkit.errors import IrkitError, UsageError

MAX_BYTES = 16 * 1024**2
MAX_ALIASES = 100
MAX_DEPTH = 64
MAX_NODES = 1_000_000


class _Limited(yaml.SafeLoader):
    """A SafeLoader that counts aliases and depth while composing the node tree."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES} aliases (an alias bomb?)", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


class _Refused(yaml.YAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def _expanded_size(root: yaml.Node) -> int:
    """The number of nodes once every alias is expanded (shared nodes counted once per use)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[id(node)] = min(total, MAX_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def compose(text: str, path: str | Path, error: type[IrkitError] = UsageError) -> yaml.Node | None:
    """The node tree of one YAML document (lines kept for messages), within the limits above."""
    if len(text) > MAX_BYTES:
        raise error(f"YAML file larger than {MAX_BYTES // 1024**2} MB", path=path)
    loader = _Limited(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else None) from exc
    finally:
        loader.dispose()
    if root is not None and _expanded_size(root) > MAX_NODES:
        raise error(f"more than {MAX_NODES:,} values once aliases are expanded (an alias bomb?)", path=path)
    return root


def load(path: str | Path, what: str, error: type[IrkitError] = UsageError) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file: its data (plain dicts, lists and scalars) and its node tree (for line numbers)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise error(f"cannot read {what}: {reason}", path=path) from exc
    root = compose(text, path, error)
    if root is None:
        return None, None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(root), root
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                    line=mark.line + 1 if mark else None) from exc
    finally:
        constructor.dispose()


def line_of(root: yaml.Node | None, *keys: str | int) -> int | None:
    """The line (1-based) of the value at ``keys`` in the node tree, or of the deepest node found."""
    node = root
    for key in keys:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1 if node is not None else None
