"""CloudTrail event history: ``LookupEvents`` in every region asked (management events of the last 90
days; data events are only in trails), the window as ``StartTime`` / ``EndTime``, 50 events a page,
followed by ``NextToken``. The API allows two requests a second per account and region: calls are paced
to that, and botocore backs off on ``ThrottlingException``. Each page is the raw response body,
``{"Events": [{..., "CloudTrailEvent": "<the event as JSON text>"}], "NextToken": ...}`` (the cloudtrail
loader's lookup-events shape), captured from the HTTP response before botocore parses it.

Regions: ``--regions`` (comma-separated), else the account's enabled regions (``ec2:DescribeRegions``),
else every region botocore knows for CloudTrail. Permissions: ``cloudtrail:LookupEvents`` (and
``ec2:DescribeRegions`` for the default region list).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from irkit.collect import aws
from irkit.collect.base import Progress, Window, json_records, time_range
from irkit.collect.http import CollectError, wait_scale
from irkit.collect.store import Job, now_iso

NAME = "aws-lookup"
VERSION = "1"
DESCRIPTION = "AWS CloudTrail event history (LookupEvents), every region"
RETENTION_DAYS = 90
PACE_SECONDS = 0.5


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--regions", default=None, help="comma-separated regions (default: the enabled ones)")
    p.add_argument("--lookup-attribute", default=None, metavar="KEY=VALUE",
                   help="one LookupAttribute, e.g. Username=invoice-agent or AccessKeyId=ASIA...")
    aws.add_arguments(p)


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"regions": args.regions, "lookup_attribute": args.lookup_attribute, "endpoint_url": args.endpoint_url,
            "profile_region": args.region}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for region in _regions(args):
            _collect_region(job, args, region, window, progress)
    except (ClientError, BotoCoreError) as exc:
        raise aws.client_error(exc) from exc


def _regions(args: argparse.Namespace) -> list[str]:
    if args.regions:
        return sorted({r.strip() for r in args.regions.split(",") if r.strip()})
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        found = aws.client(args, "ec2").describe_regions(AllRegions=False)["Regions"]
        return sorted(r["RegionName"] for r in found)
    except (ClientError, BotoCoreError):
        import boto3

        return sorted(boto3.Session(profile_name=args.profile).get_available_regions("cloudtrail"))


class _Capture:
    """Keeps the last LookupEvents HTTP response as received (body bytes, status, headers)."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 0
        self.headers: dict[str, str] = {}

    def __call__(self, http_response: Any = None, **_: Any) -> None:
        if http_response is not None:
            self.body = http_response.content
            self.status = http_response.status_code
            self.headers = {k.lower(): v for k, v in http_response.headers.items()
                            if k.lower() in ("x-amzn-requestid", "date", "content-type", "content-length")}


def _collect_region(job: Job, args: argparse.Namespace, region: str, window: Window, progress: Progress) -> None:
    stream = region
    state = job.state(stream)
    if state.done:
        return
    client = aws.client(args, "cloudtrail", region=region)
    capture = _Capture()
    client.meta.events.register("after-call.cloudtrail.LookupEvents", capture)
    request: dict[str, Any] = {"StartTime": window.since, "EndTime": window.until, "MaxResults": 50}
    if args.lookup_attribute:
        key, _, value = args.lookup_attribute.partition("=")
        request["LookupAttributes"] = [{"AttributeKey": key, "AttributeValue": value}]
    token = state.cursor.get("NextToken") if state.pages and isinstance(state.cursor, dict) else None
    progress.start(f"{job.source} {region}", state.pages)
    errors = aws.errors()
    while True:
        call = {**request, **({"NextToken": token} if token else {})}
        requested = now_iso()
        for attempt in range(1, 6):
            try:
                client.lookup_events(**call)
                records = json_records(capture.body)
                if records is None:
                    raise CollectError(f"LookupEvents {region}: a response body that is not JSON")
                break
            except (*errors, CollectError):
                if attempt == 5:
                    raise
                time.sleep(min(2 ** attempt, 30) * wait_scale())
        data = json.loads(capture.body)
        token = data.get("NextToken") or None
        times = time_range(records, lambda r: _iso(r.get("EventTime")))
        entry = {"method": "POST", "url": f"{client.meta.endpoint_url}/ (CloudTrail_20131101.LookupEvents)",
                 "params": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in call.items()},
                 "status": capture.status, "headers": capture.headers, "requested": requested,
                 "region": region, "attempts": attempt}
        job.save_page(stream, capture.body, entry, next_cursor={"NextToken": token} if token else None,
                      done=token is None, records=len(records), times=times)
        progress.page(len(records), *times)
        if token is None:
            break
        time.sleep(PACE_SECONDS * wait_scale())
    progress.close()


def _iso(value: Any) -> str | None:
    """LookupEvents' EventTime: epoch seconds in the wire format."""
    if isinstance(value, (int, float)):
        from datetime import UTC, datetime

        return datetime.fromtimestamp(value, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value if isinstance(value, str) else None
