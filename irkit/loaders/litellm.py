"""LiteLLM proxy logs: the ``StandardLoggingPayload`` of each call, MCP gateway tool calls included.

Shape (detected by content): one JSON object per call, as LiteLLM hands it to its logging callbacks and
bucket loggers (S3, GCS, Azure Blob, a custom callback's JSON lines): ``id``, ``trace_id``, ``call_type``
(``call_mcp_tool`` for a tool call through LiteLLM's MCP gateway, ``list_mcp_tools``, else an LLM call
type such as ``acompletion``), ``status`` (``success`` / ``failure``), ``startTime`` / ``endTime`` (epoch
seconds), ``model`` (``MCP: <tool>`` on tool calls), ``custom_llm_provider`` (the MCP server on tool
calls), ``end_user``, ``requester_ip_address``, ``user_agent``, ``error_str``, ``error_information``
``{error_code, error_class, error_message}``, ``response``, ``session_id`` (newer releases) and
``metadata`` (``StandardLoggingMetadata``): the virtual key's ``user_api_key_hash``,
``user_api_key_alias``, ``user_api_key_user_id``, ``user_api_key_user_email``, ``user_api_key_team_id``,
``user_api_key_org_id``, ``user_api_key_end_user_id``, ``requester_ip_address``, ``user_agent`` and
``mcp_tool_call_metadata`` (``StandardLoggingMCPToolCall``: ``name``, ``arguments``, ``result``,
``mcp_server_name``, ``namespaced_tool_name`` ``<server>/<tool>``, ``mcp_session_id``,
``mcp_server_resource``). Format: LiteLLM ``litellm/types/utils.py`` (``StandardLoggingPayload``,
``StandardLoggingMetadata``, ``StandardLoggingUserAPIKeyMetadata``, ``StandardLoggingMCPToolCall``,
``CallTypes``), ``proxy/_experimental/mcp_server/server.py`` (what a tool call logs) and the
"StandardLoggingPayload Specification" page of the LiteLLM docs.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``id``; else SHA-256 of raw
time / end_time    ``startTime`` / ``endTime``
class_name         ``call_mcp_tool`` tool_call; an error code 401 or 403 authorization;
                   ``list_mcp_tools`` api_activity; other call types model_invocation
operation          ``tools/call``, ``tools/list``, else the ``call_type``
activity           invoke (tool and model calls), list (``list_mcp_tools``)
status             ``status`` success / failure; detail ``error_code: error_message``, else
                   ``error_str``
actor              the virtual key's user ``user_api_key_user_id``, else its alias, else its hash
                   (type unknown); name the user's e-mail, else the key alias;
                   account_uid ``user_api_key_org_id``
credential         ``user_api_key_hash`` (SHA-256 of the virtual key, as LiteLLM logs it):
                   ``api_token`` used, principal the actor, name the key alias
delegation         ``end_user`` (else ``user_api_key_end_user_id``), the customer the call was
                   made for: ``on_behalf_of`` end user → actor (event); also delegator_uid
session_uid        ``mcp_tool_call_metadata.mcp_session_id``, else ``session_id``
target             tool calls: ``mcp_tool_call_metadata.name`` (``mcp_tool``), system
                   ``mcp:<mcp_server_name>`` (else the ``namespaced_tool_name`` prefix, else
                   ``custom_llm_provider``, else ``mcp``); model calls: ``model`` (``model``, system
                   ``genai:<custom_llm_provider>``)
resources          ``tool_arguments`` (``arguments`` as JSON text), ``tool_result`` (the text
                   contents of ``response`` or ``result``, joined, first 4096 characters),
                   the upstream ``mcp_server_resource`` (``mcp_server``)
src_ip/user_agent  ``requester_ip_address`` / ``user_agent`` (top level, else in ``metadata``)
=================  ==========================================================================

A call the proxy refused (the key may not use that server: 401 / 403) is logged before the tool is
resolved, without ``mcp_tool_call_metadata``: it names no tool, and its system is ``mcp``.
``trace_id`` is LiteLLM's own UUID (it groups retries and fallbacks), not an OpenTelemetry trace id: it
stays in raw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

NAME = "litellm"
VERSION = "1.0"
DESCRIPTION = "LiteLLM proxy StandardLoggingPayload records (MCP tool calls and model calls)"

#: Keys only a StandardLoggingPayload carries together with call_type and startTime.
_PAYLOAD_KEYS = frozenset({"model_map_information", "hidden_params", "response_cost", "status_fields",
                           "saved_cache_cost", "model_parameters"})


def is_payload(record: object) -> bool:
    return (
        isinstance(record, Mapping)
        and isinstance(record.get("call_type"), str)
        and "startTime" in record
        and isinstance(record.get("metadata"), Mapping)
        and bool(_PAYLOAD_KEYS & record.keys())
    )


def sniff(records: Sequence[object]) -> bool:
    return any(is_payload(r) for r in records)
