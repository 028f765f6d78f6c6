"""boto3 sessions for the AWS collectors: the standard credential chain (environment, shared files,
SSO, container and instance roles), ``--profile``, ``--region``, ``--endpoint-url``; retries in
botocore's standard mode (throttling errors backed off)."""

from __future__ import annotations

import argparse
from typing import Any

from irkit.collect.http import CollectError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default=None, help="AWS shared-config profile (default: the standard chain)")
    p.add_argument("--region", default=None, help="region for the API calls (default: the profile's, else us-east-1)")
    p.add_argument("--endpoint-url", default=None, help="another endpoint (a VPC endpoint, a test server)")


def client(args: argparse.Namespace, service: str, region: str | None = None, max_attempts: int = 10) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:
        raise CollectError("boto3 is not installed: pip install 'irkit[collect]'") from exc
    from irkit import __version__

    try:
        session = boto3.Session(profile_name=args.profile)
    except Exception as exc:  # botocore's ProfileNotFound and kin
        raise CollectError(f"AWS profile: {exc}") from exc
    config = Config(retries={"max_attempts": max_attempts, "mode": "standard"},
                    user_agent_extra=f"irkit-collect/{__version__}", read_timeout=60, connect_timeout=20)
    made = session.client(service, region_name=region or args.region or session.region_name or "us-east-1",
                          endpoint_url=args.endpoint_url, config=config)
    made.meta.events.register("before-call", _read_only)
    return made


#: The only AWS operations the collectors may call.
READ_OPERATIONS = frozenset({"ListObjectsV2", "GetObject", "LookupEvents", "DescribeTrails", "DescribeRegions"})


def _read_only(model: Any = None, **_: Any) -> None:
    """Refuse any call that is not a read the collectors need (read-only by construction)."""
    if model is None or model.name not in READ_OPERATIONS:
        raise CollectError(f"refused: {getattr(model, 'name', '?')} is not a read this collector makes")


def errors() -> tuple[type[BaseException], ...]:
    """botocore's exceptions worth retrying ourselves after botocore gave up (network, parse)."""
    from botocore import exceptions as e

    return (e.EndpointConnectionError, e.ConnectionClosedError, e.ReadTimeoutError, e.ResponseStreamingError,
            e.IncompleteReadError, e.ConnectTimeoutError)


def client_error(exc: BaseException) -> CollectError:
    """A botocore ClientError / NoCredentialsError as one line (never a credential)."""
    from botocore import exceptions as e

    if isinstance(exc, e.NoCredentialsError | e.PartialCredentialsError):
        return CollectError("no AWS credentials found (environment, --profile, SSO, instance role)")
    if isinstance(exc, e.ClientError):
        err = exc.response.get("Error", {})
        return CollectError(f"AWS {exc.operation_name}: {err.get('Code')}: {err.get('Message')}")
    return CollectError(f"AWS: {exc}")
