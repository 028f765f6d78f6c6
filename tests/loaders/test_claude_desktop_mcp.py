"""Claude Desktop's MCP logs (``samples/claude_desktop_mcp/``), rebuilt in the exact line shapes quoted
from real logs in public GitHub issues:

* ``mcp-server-filesystem.log``: the server's log since mid 2025 (``<ts> [server] [level] <message>
  { metadata: ... }``), with a multi-line command entry, the server's stderr, a payload the client cut
  short (``...[N chars truncated]...``), a failed tool call, a JSON-RPC error, a disconnection at level
  error and a second connection;
* ``mcp.log``: the general log of early 2025 (``<ts> [level] [server] <message>``), two servers
  interleaved, both using JSON-RPC id 611;
* ``2024-11/mcp.log``: the first form (``<ts> [level] <message>``, no server bracket);
* ``2026-07/mcp.log``: the newer summarised messages (``method="tools/list" id=1 params``, ``id=1 result``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_lines, sample_records
from tests.loaders.helpers import SAMPLES, blank_row, load, one, quarantine, res, rows, subset
from tests.loaders.helpers import utc as t

HERE = SAMPLES / "claude_desktop_mcp"
SERVER_LOG = HERE / "mcp-server-filesystem.log"
MAIN_LOG = HERE / "mcp.log"
FIRST_LOG = HERE / "2024-11" / "mcp.log"
SUMMARY_LOG = HERE / "2026-07" / "mcp.log"
FILES = (SERVER_LOG, MAIN_LOG, FIRST_LOG, SUMMARY_LOG)
FS = "mcp:filesystem"
FS_SESSION = "filesystem@2026-03-01T09:39:03.047Z"


def line(file: Path, number: int) -> str:
    return file.read_text(encoding="utf-8").splitlines()[number - 1]


def uid(file: Path, number: int) -> str:
    return hashlib.sha256(line(file, number).encode()).hexdigest()


def _row(file: Path, number: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {
        "event_uid": uid(file, number), "source": "claude_desktop_mcp", "actor_uid": "claude-ai",
        "actor_type": "agent", "actor_name": "claude-ai", "user_agent": "claude-ai/0.1.0",
        "evidence_file": str(file), "evidence_offset": number, "evidence_path": "$", "activity": "other",
        "class_name": "api_activity", "status": "unknown",
    } | fields


EXPECTED = {
    "tool call": _row(
        SERVER_LOG, 15, time=t(2026, 3, 1, 9, 44, 53, 641000), end_time=t(2026, 3, 1, 9, 44, 53, 643000),
        class_name="tool_call", operation="tools/call", activity="invoke", session_uid=FS_SESSION,
        target_uid="read_text_file", target_type="mcp_tool", target_name="read_text_file", target_system=FS,
        tool_name="read_text_file",
        resources=[res("read_text_file", "mcp_tool", FS), res("2", "jsonrpc_id", FS),
                   res('{"path":"/Users/dana/projects/notes.txt"}', "tool_arguments", FS)],
    ),
    "its response": _row(
        SERVER_LOG, 16, time=t(2026, 3, 1, 9, 44, 53, 643000), class_name="tool_call",
        operation="tools/call response", activity="invoke", status="success", session_uid=FS_SESSION,
        target_uid="filesystem", target_type="mcp_server", target_name="filesystem", target_system=FS,
        resources=[res("filesystem", "mcp_server", FS), res("2", "jsonrpc_id", FS),
                   res("meeting at 10", "tool_result", FS)],
    ),
    "a response cut short, read from the client's field order": _row(
        SERVER_LOG, 18, time=t(2026, 3, 1, 9, 47, 44, 595000), class_name="tool_call",
        operation="tools/call response", activity="invoke", status="success", session_uid=FS_SESSION,
        target_uid="filesystem", target_type="mcp_server", target_name="filesystem", target_system=FS,
        resources=[res("filesystem", "mcp_server", FS), res("3", "jsonrpc_id", FS)],
    ),
    "a failed tool call": _row(
        SERVER_LOG, 20, time=t(2026, 3, 1, 9, 49, 3, 590000), class_name="tool_call",
        operation="tools/call response", activity="invoke", status="failure",
        status_detail="Access denied - path outside allowed directories: /mnt/user-data/uploads/logo.png "
        "not in /Users/dana/projects",
        session_uid=FS_SESSION, target_uid="filesystem", target_type="mcp_server", target_name="filesystem",
        target_system=FS,
        resources=[res("filesystem", "mcp_server", FS), res("4", "jsonrpc_id", FS),
                   res("Access denied - path outside allowed directories: /mnt/user-data/uploads/logo.png "
                       "not in /Users/dana/projects", "tool_result", FS)],
    ),
    "a JSON-RPC error": _row(
        SERVER_LOG, 22, time=t(2026, 3, 1, 9, 49, 4, 2000), operation="prompts/list response", activity="list",
        status="failure", status_detail="-32601: Method not found", session_uid=FS_SESSION,
        target_uid="filesystem", target_type="mcp_server", target_name="filesystem", target_system=FS,
        resources=[res("filesystem", "mcp_server", FS), res("5", "jsonrpc_id", FS)],
    ),
    "a disconnection at level error": _row(
        SERVER_LOG, 24, time=t(2026, 3, 1, 9, 49, 49, 984000), operation="log", status="failure",
        status_detail="Server disconnected. For troubleshooting guidance, please visit our [debugging "
        "documentation](https://modelcontextprotocol.io/docs/tools/debugging)",
        session_uid=FS_SESSION, target_system=FS, resources=[res("filesystem", "mcp_server", FS)],
    ),
    "the second connection's call": _row(
        SERVER_LOG, 27, time=t(2026, 3, 1, 9, 50, 2, 110000), end_time=t(2026, 3, 1, 9, 50, 2, 112000),
        class_name="tool_call", operation="tools/call", activity="invoke",
        session_uid="filesystem@2026-03-01T09:50:00.953Z", target_uid="list_allowed_directories",
        target_type="mcp_tool", target_name="list_allowed_directories", target_system=FS,
        tool_name="list_allowed_directories",
        resources=[res("list_allowed_directories", "mcp_tool", FS), res("1", "jsonrpc_id", FS),
                   res("{}", "tool_arguments", FS)],
    ),
    "level-first mcp.log: id 611 answered by its own server": _row(
        MAIN_LOG, 6, time=t(2025, 4, 8, 7, 54, 28, 300000), end_time=t(2025, 4, 8, 7, 54, 29, 502000),
        class_name="tool_call", operation="tools/call", activity="invoke",
        session_uid="browsermcp@2025-04-08T07:54:20.100Z", target_uid="browser_navigate", target_type="mcp_tool",
        target_name="browser_navigate", target_system="mcp:browsermcp", tool_name="browser_navigate",
        resources=[res("browser_navigate", "mcp_tool", "mcp:browsermcp"), res("611", "jsonrpc_id", "mcp:browsermcp"),
                   res('{"url":"https://intranet.example.com/payroll"}', "tool_arguments", "mcp:browsermcp")],
    ),
    "the first form: no server bracket, no initialize": _row(
        FIRST_LOG, 3, time=t(2024, 11, 28, 9, 27, 50, 201000), operation="log", status="failure",
        status_detail="Could not connect to MCP server neo4j: spawn uvx ENOENT", target_system="mcp",
        user_agent=None, resources=[],
    ),
    "summarised messages": _row(
        SUMMARY_LOG, 5, time=t(2026, 7, 22, 20, 23, 54, 863000), end_time=t(2026, 7, 22, 20, 23, 54, 869000),
        operation="tools/list", activity="list", session_uid="obsidian-vault@2026-07-22T20:23:53.331Z",
        target_uid="obsidian-vault", target_type="mcp_server", target_name="obsidian-vault",
        target_system="mcp:obsidian-vault", user_agent=None,
        resources=[res("obsidian-vault", "mcp_server", "mcp:obsidian-vault"),
                   res("1", "jsonrpc_id", "mcp:obsidian-vault")],
    ),
}

NOT_ENTRIES = ("not a Claude Desktop MCP log entry (no timestamp, level and server prefix): the server's own "
               "output, or a continuation line of the entry above")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("claude_desktop_mcp"), *FILES)


def test_every_file_detected_and_every_line_accounted_for(ingested: Any) -> None:
    case, summary = ingested
    per_file = {Path(f.path).relative_to(HERE).as_posix(): (f.source, f.read, f.loaded, f.quarantined)
                for f in summary.files}
    assert per_file == {
        "mcp-server-filesystem.log": ("claude_desktop_mcp", 28, 22, 6),
        "mcp.log": ("claude_desktop_mcp", 12, 12, 0),
        "2024-11/mcp.log": ("claude_desktop_mcp", 3, 3, 0),
        "2026-07/mcp.log": ("claude_desktop_mcp", 6, 6, 0),
    }
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (49, 43, 6, 0)


def test_detection_reads_lines_not_json_records() -> None:
    for file in FILES:
        item = discover([file])[0]
        assert loaders.detect(sample_records(item)) is None, file
        assert loaders.detect_lines(sample_lines(item)).name == "claude_desktop_mcp", file


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_stderr_and_continuation_lines_are_quarantined_at_their_line(ingested: Any) -> None:
    case, _ = ingested
    found = [(Path(q["evidence_file"]).name, q["evidence_offset"], q["reason"], q["raw"]) for q in quarantine(case)]
    assert found == [("mcp-server-filesystem.log", n, NOT_ENTRIES, line(SERVER_LOG, n)) for n in (3, 4, 5, 6, 7, 10)]


def test_raw_is_the_line_unaltered(ingested: Any) -> None:
    case, _ = ingested
    for row in rows(case):
        assert row["raw"] == line(Path(row["evidence_file"]), row["evidence_offset"])


def test_one_session_per_connection(ingested: Any) -> None:
    case, _ = ingested
    sessions = case.sql(
        "SELECT session_uid, count(*) AS n FROM events WHERE session_uid IS NOT NULL GROUP BY ALL ORDER BY 1").rows()
    assert sessions == [
        ("browsermcp@2025-04-08T07:54:20.100Z", 7), ("filesystem@2026-03-01T09:39:03.047Z", 18),
        ("filesystem@2026-03-01T09:50:00.953Z", 4), ("memory@2025-04-08T07:54:20.104Z", 5),
        ("obsidian-vault@2026-07-22T20:23:53.331Z", 5),
    ]


def test_tool_calls_pair_with_their_responses(ingested: Any) -> None:
    case, _ = ingested
    calls = case.sql("SELECT server, tool_name, status, paired_by, arguments FROM tool_calls ORDER BY time").rows()
    assert calls == [
        ("mcp:browsermcp", "browser_navigate", "success", "id", '{"url":"https://intranet.example.com/payroll"}'),
        ("mcp:memory", "read_graph", "success", "id", "{}"),
        (FS, "read_text_file", "success", "id", '{"path":"/Users/dana/projects/notes.txt"}'),
        (FS, "read_text_file", "success", "id", '{"path":"/Users/dana/projects/.env"}'),
        (FS, "read_media_file", "failure", "id", '{"path":"/mnt/user-data/uploads/logo.png"}'),
        (FS, "list_allowed_directories", "success", "id", "{}"),
    ]


def test_odd_entries_are_quarantined_with_what_is_wrong(tmp_path: Path) -> None:
    """A payload that is no JSON-RPC message, an impossible date and a tool result whose own text ends
    like the client's metadata tail: each line is accounted for, the last one still read whole."""
    file = tmp_path / "mcp-server-odd.log"
    tail_in_text = ('2026-03-01T10:00:01.000Z [odd] [info] Message from server: {"jsonrpc":"2.0","id":7,"result":'
                    '{"content":[{"type":"text","text":"x { metadata: undefined }"}]}} { metadata: undefined }')
    file.write_text(
        "2026-03-01T10:00:00.000Z [odd] [info] Initializing server... { metadata: undefined }\n"
        "2026-03-01T10:00:00.500Z [odd] [info] Message from client: hello there { metadata: undefined }\n"
        "2026-13-45T10:00:00.600Z [odd] [info] Client transport closed { metadata: undefined }\n"
        + tail_in_text + "\n",
        encoding="utf-8",
    )
    case, summary = load(tmp_path, file)
    assert (summary.files[0].source, summary.read, summary.loaded, summary.quarantined) == ("claude_desktop_mcp", 4, 2, 2)
    assert [(q["evidence_offset"], q["reason"]) for q in quarantine(case)] == [
        (2, "a Message line whose payload names no JSON-RPC method, id or result"),
        (3, "no readable timestamp: 2026-13-45T10:00:00.600Z"),
    ]
    answer = one(case, "evidence_offset = 4")
    assert (answer["operation"], answer["status"], answer["raw"]) == ("tools/call response", "success", tail_in_text)
    assert res("x { metadata: undefined }", "tool_result", "mcp:odd") in answer["resources"]
