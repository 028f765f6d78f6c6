"""AWS CloudTrail in its S3 delivery form: gzip'd ``{"Records":[...]}`` files under
``AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/``.

Records carry the fields and key order CloudTrail writes (eventVersion first, tlsDetails last),
second-precision ``eventTime``, ``responseElements: null`` where AWS writes null, S3 user agents in
brackets, and the occasional event delivered twice in two files (CloudTrail does that).
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._util import HOUR, MINUTE, NS, Ids, date_parts, iso_s
from .cast import ACCOUNT, REGION

JsonObj = dict[str, Any]


# ---------------------------------------------------------------- principals
@dataclass
class RoleSession:
    """A temporary (ASIA…) role session; `identity` is the userIdentity block CloudTrail writes."""

    role_name: str
    role_id: str
    session_name: str
    key: str
    created_ns: int
    source_identity: str | None = None
    web_identity_provider: str | None = None
    mfa: bool = False

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT}:role/{self.role_name}"

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.role_name}/{self.session_name}"

    def identity(self) -> JsonObj:
        """The userIdentity block (built once per session: records share it, nobody mutates it)."""
        cached = self.__dict__.get("_identity")
        if cached is not None:
            return cached
        ctx: JsonObj = {
            "sessionIssuer": {"type": "Role", "principalId": self.role_id, "arn": self.role_arn,
                              "accountId": ACCOUNT, "userName": self.role_name},
        }
        if self.web_identity_provider:
            ctx["webIdFederationData"] = {"federatedProvider": self.web_identity_provider, "attributes": {}}
        ctx["attributes"] = {"creationDate": iso_s(self.created_ns), "mfaAuthenticated": str(self.mfa).lower()}
        if self.source_identity:
            ctx["sourceIdentity"] = self.source_identity
        ident = {"type": "AssumedRole", "principalId": f"{self.role_id}:{self.session_name}", "arn": self.arn,
                 "accountId": ACCOUNT, "accessKeyId": self.key, "sessionContext": ctx}
        self.__dict__["_identity"] = ident
        return ident


@dataclass
class IamUser:
    name: str
    principal_id: str
    key: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT}:user/{self.name}"

    def identity(self) -> JsonObj:
        return {"type": "IAMUser", "principalId": self.principal_id, "arn": self.arn, "accountId": ACCOUNT,
                "accessKeyId": self.key, "userName": self.name}


def aws_service(invoked_by: str) -> JsonObj:
    return {"type": "AWSService", "invokedBy": invoked_by}


def web_identity_user(provider: str, subject: str, audience: str) -> JsonObj:
    return {"type": "WebIdentityUser", "principalId": f"{provider}:{audience}:{subject}", "userName": subject,
            "identityProvider": provider}


# ---------------------------------------------------------------- records
_TLS = "TLS_AES_128_GCM_SHA256"


def record(
    ids: Ids, ns: int, identity: JsonObj, source: str, name: str, *,
    ip: str, ua: str, params: JsonObj | None = None, response: JsonObj | None = None,
    read_only: bool = True, resources: list[JsonObj] | None = None, data: bool = False,
    error: tuple[str, str] | None = None, additional: JsonObj | None = None,
    event_type: str = "AwsApiCall", host: str | None = None, version: str = "1.09",
) -> JsonObj:
    """One CloudTrail event. `source` is the service prefix (`s3`, `sts`, ...)."""
    service_call = identity.get("type") == "AWSService"
    r: JsonObj = {
        "eventVersion": "1.10" if data else version,
        "userIdentity": identity,
        "eventTime": iso_s(ns),
        "eventSource": f"{source}.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": ip,
        "userAgent": f"[{ua}]" if source == "s3" and not service_call else ua,
    }
    if error:
        r["errorCode"], r["errorMessage"] = error
    r["requestParameters"] = params
    r["responseElements"] = response
    if additional is not None:
        r["additionalEventData"] = additional
    r["requestID"] = ids.s3_request_id() if source == "s3" else ids.uuid4()
    r["eventID"] = ids.uuid4()
    r["readOnly"] = read_only
    if resources is not None:
        r["resources"] = resources
    r["eventType"] = event_type
    r["managementEvent"] = not data
    r["recipientAccountId"] = ACCOUNT
    if service_call:
        r["sharedEventID"] = ids.uuid4()
    r["eventCategory"] = "Data" if data else "Management"
    if not service_call:
        r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": _TLS,
                           "clientProvidedHostHeader": host or f"{source}.{REGION}.amazonaws.com"}
    return r


def s3_object_event(ids: Ids, ns: int, identity: JsonObj, name: str, bucket: str, key: str, *,
                    ip: str, ua: str, size: int = 0, error: tuple[str, str] | None = None) -> JsonObj:
    read_only = name in ("GetObject", "HeadObject")
    host = f"{bucket}.s3.{REGION}.amazonaws.com"
    return record(
        ids, ns, identity, "s3", name, ip=ip, ua=ua, data=True, read_only=read_only, error=error, host=host,
        params={"bucketName": bucket, "Host": host, "key": key},
        response=None if read_only or error else {"x-amz-server-side-encryption": "aws:kms"},
        additional={"SignatureVersion": "SigV4", "CipherSuite": _TLS,
                    "bytesTransferredIn": 0 if read_only else size, "AuthenticationMethod": "AuthHeader",
                    "x-amz-id-2": ids.b64(57), "bytesTransferredOut": size if read_only and not error else 0},
        resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                   {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])


def s3_list_objects(ids: Ids, ns: int, identity: JsonObj, bucket: str, prefix: str, *, ip: str, ua: str) -> JsonObj:
    host = f"{bucket}.s3.{REGION}.amazonaws.com"
    return record(
        ids, ns, identity, "s3", "ListObjects", ip=ip, ua=ua, data=True, host=host,
        params={"list-type": "2", "bucketName": bucket, "encoding-type": "url", "prefix": prefix, "Host": host},
        additional={"SignatureVersion": "SigV4", "CipherSuite": _TLS, "bytesTransferredIn": 0,
                    "AuthenticationMethod": "AuthHeader", "x-amz-id-2": ids.b64(57), "bytesTransferredOut": 2311},
        resources=[{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])


def aws_date(ns: int) -> str:
    """The `Nov 10, 2026, 3:04:33 PM` form CloudTrail uses inside responseElements."""
    import datetime as dt

    d = dt.datetime.fromtimestamp(ns // NS, dt.UTC)
    return f"{d:%b} {d.day}, {d.year}, {d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


def credentials(ids: Ids, key: str, ns: int, duration_s: int = 3600) -> JsonObj:
    return {"accessKeyId": key, "sessionToken": ids.b64(96), "expiration": aws_date(ns + duration_s * NS)}


# ---------------------------------------------------------------- writer
class CloudTrailWriter:
    """Groups records by hour into S3-delivery files; gzip with mtime=0 for byte-identical output."""

    def __init__(self, root: Path, seed: int, *, max_per_file: int = 5000, duplicate_every: int = 0,
                 level: int = 6, name_key: str = "") -> None:
        self.root = root / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION
        self.ids = Ids(random.Random(f"{seed}:cloudtrail-files" + (f":{name_key}" if name_key else "")))
        self.max_per_file = max_per_file
        self.duplicate_every = duplicate_every
        self.level = level
        self._files: list[Path] = []
        self._last: bytes | None = None
        self.duplicates = 0

    def write_batch(self, items: list[tuple[int, int, bytes]]) -> None:
        by_hour: dict[int, list[bytes]] = {}
        for ns, _, line in items:
            by_hour.setdefault(ns - ns % HOUR, []).append(line)
        for hour, lines in by_hour.items():
            for chunk, start in enumerate(range(0, len(lines), self.max_per_file)):
                self._write_file(hour, chunk, lines[start:start + self.max_per_file])

    def _write_file(self, hour: int, chunk: int, lines: list[bytes]) -> None:
        delivered = hour + HOUR + (5 * chunk + self.ids.rng.randint(1, 4)) * MINUTE
        body = list(lines)
        if self._last is not None and self.duplicate_every and len(self._files) % self.duplicate_every == 0:
            body.insert(0, self._last)  # at-least-once delivery: the previous file's last event again
            self.duplicates += 1
        self._last = lines[-1]
        y, m, d = date_parts(delivered)
        stamp = iso_s(delivered)
        name = (f"{ACCOUNT}_CloudTrail_{REGION}_{y}{m}{d}T{stamp[11:13]}{stamp[14:16]}Z_"
                f"{self.ids.b62(16)}.json.gz")
        path = self.root / y / m / d / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                     compresslevel=self.level) as gz:
            gz.write(b'{"Records":[' + b",".join(body) + b"]}")
        self._files.append(path)

    def close(self) -> None:
        pass

    @property
    def files(self) -> list[Path]:
        return self._files

