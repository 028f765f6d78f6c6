"""CloudTrail delivery files from S3, byte for byte: ``<prefix>/AWSLogs/<account>/CloudTrail/<region>/
YYYY/MM/DD/`` and, for an organization trail, ``<prefix>/AWSLogs/<org-id>/<account>/CloudTrail/...``.

Accounts and regions are found by listing (``ListObjectsV2`` with a delimiter) unless given; with a
window, only the day folders from the day before ``--since`` to the day of ``--until`` are listed (a
file is filed under the day it was delivered, which can be just after its events' day). Each object is
saved as delivered (already gzip'd), under ``evidence/aws-s3/<job>/<bucket>/<key>``, streamed to disk;
its log line keeps the key, ETag, version, size, last-modified time and SHA-256. Streams are
``<account>/<region>``; the checkpoint is the last key saved, and a rerun lists from there
(``StartAfter``). ``--trail NAME`` reads bucket and prefix from ``DescribeTrails``.

Permissions: ``s3:ListBucket`` and ``s3:GetObject`` on the bucket (``kms:Decrypt`` on its key when the
trail encrypts with SSE-KMS); ``cloudtrail:DescribeTrails`` for ``--trail``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from irkit.collect import aws
from irkit.collect.base import Progress, Window
from irkit.collect.http import CollectError
from irkit.collect.store import Job, now_iso

NAME = "aws-s3"
VERSION = "1"
DESCRIPTION = "AWS CloudTrail delivery files in S3"
RETENTION_DAYS = 3650
#: S3 keeps what the bucket's lifecycle keeps: without --since / --until, every file is collected.
WINDOW_OPTIONAL = True
ACCOUNT = re.compile(r"^\d{12}$")
ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
MAX_OBJECT = 1024**3


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bucket", default=None, help="the trail's bucket")
    p.add_argument("--trail", default=None, help="a trail name or ARN: its bucket and prefix (DescribeTrails)")
    p.add_argument("--prefix", default="", help="the trail's S3 key prefix, if any")
    p.add_argument("--account", action="append", default=None, help="account id (repeatable; default: all found)")
    p.add_argument("--org-id", default=None, help="organization id of an organization trail (default: found)")
    p.add_argument("--regions", default=None, help="comma-separated regions (default: all found)")
    aws.add_arguments(p)


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"bucket": args.bucket, "trail": args.trail, "prefix": args.prefix.strip("/"),
            "accounts": sorted(args.account or []), "org_id": args.org_id, "regions": args.regions,
            "endpoint_url": args.endpoint_url}


def run(job: Job, args: argparse.Namespace, window: Window | None, progress: Progress) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3 = aws.client(args, "s3")
        bucket, prefix = args.bucket, args.prefix.strip("/")
        if args.trail:
            bucket, prefix = _trail(args)
        if not bucket:
            raise CollectError("give --bucket or --trail")
        for stream, region_prefix in _streams(s3, bucket, prefix, args):
            _collect_stream(job, s3, bucket, stream, region_prefix, window, progress)
    except (ClientError, BotoCoreError) as exc:
        raise aws.client_error(exc) from exc


def _trail(args: argparse.Namespace) -> tuple[str, str]:
    trails = aws.client(args, "cloudtrail").describe_trails(trailNameList=[args.trail]).get("trailList", [])
    if not trails:
        raise CollectError(f"no trail {args.trail!r} in this region")
    return trails[0]["S3BucketName"], (trails[0].get("S3KeyPrefix") or "").strip("/")


def _children(s3: Any, bucket: str, prefix: str) -> list[str]:
    names: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        names += [c["Prefix"][len(prefix):].strip("/") for c in page.get("CommonPrefixes", [])]
    return sorted(names)


def _streams(s3: Any, bucket: str, prefix: str, args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    root = f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"
    accounts: list[tuple[str, str]] = []  # (account, its folder)
    for name in _children(s3, bucket, root):
        if ACCOUNT.match(name):
            accounts.append((name, f"{root}{name}/"))
        elif ORG.match(name) and (args.org_id in (None, name)):
            accounts += [(a, f"{root}{name}/{a}/") for a in _children(s3, bucket, f"{root}{name}/") if ACCOUNT.match(a)]
    wanted_accounts = set(args.account or [])
    wanted_regions = {r.strip() for r in (args.regions or "").split(",") if r.strip()}
    for account, folder in accounts:
        if wanted_accounts and account not in wanted_accounts:
            continue
        for region in _children(s3, bucket, f"{folder}CloudTrail/"):
            if not wanted_regions or region in wanted_regions:
                yield f"{account}/{region}", f"{folder}CloudTrail/{region}/"


def _day_prefixes(region_prefix: str, window: Window | None) -> list[str]:
    if window is None:
        return [region_prefix]
    day, last = (window.since - timedelta(days=1)).date(), window.until.date()
    out = []
    while day <= last:
        out.append(f"{region_prefix}{day:%Y/%m/%d}/")
        day += timedelta(days=1)
    return out


def _collect_stream(job: Job, s3: Any, bucket: str, stream: str, region_prefix: str, window: Window | None,
                    progress: Progress) -> None:
    state = job.state(stream)
    if state.done:
        return
    progress.start(f"{job.source} {bucket} {stream}", state.pages)
    for day_prefix in _day_prefixes(region_prefix, window):
        cursor = state.cursor
        if cursor and cursor > day_prefix and not cursor.startswith(day_prefix):
            continue  # this day is behind the checkpoint
        kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": day_prefix}
        if cursor and cursor.startswith(day_prefix):
            kwargs["StartAfter"] = cursor
        for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
            for item in page.get("Contents", []):
                _save_object(job, s3, bucket, stream, item, progress)
    job.finish_stream(stream, {"method": "ListObjectsV2", "url": f"s3://{bucket}/{region_prefix}",
                               "params": {"days": len(_day_prefixes(region_prefix, window))}, "status": 200,
                               "requested": now_iso()})
    progress.close()


def _save_object(job: Job, s3: Any, bucket: str, stream: str, item: dict[str, Any], progress: Progress) -> None:
    key = item["Key"]
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts[:-1]) or not parts[-1] or parts[-1] in (".", ".."):
        raise CollectError(f"s3://{bucket}/{key}: a key that is no safe file path: not saved")
    if item.get("Size", 0) > MAX_OBJECT:
        raise CollectError(f"s3://{bucket}/{key}: over {MAX_OBJECT} bytes: not saved")
    requested = now_iso()
    errors = aws.errors()
    for attempt in range(1, 6):
        try:
            obj = s3.get_object(Bucket=bucket, Key=key)
            meta = obj["ResponseMetadata"]
            entry = {"method": "GET", "url": f"s3://{bucket}/{key}", "params": {"Key": key},
                     "status": meta.get("HTTPStatusCode"), "requested": requested, "attempts": attempt,
                     "headers": {"etag": obj.get("ETag"), "version-id": obj.get("VersionId"),
                                 "last-modified": str(obj.get("LastModified")),
                                 "content-length": obj.get("ContentLength"),
                                 "x-amz-request-id": meta.get("RequestId"),
                                 "server-side-encryption": obj.get("ServerSideEncryption")}}
            job.save_stream(stream, obj["Body"], entry, next_cursor=key, done=False, name=key, folder=bucket,
                            limit=MAX_OBJECT)
            progress.page(0, None, None)
            return
        except errors:
            if attempt == 5:
                raise
            import time

            from irkit.collect.http import wait_scale

            time.sleep(min(2 ** attempt, 30) * wait_scale())
