"""Optional: sign the manifest's head with an ed25519 key kept outside the case.

The hash chain (:mod:`irkit.lake`) makes an edit of the manifest visible, but someone who rewrites every
line and the head consistently is not caught by it. A signature over the head closes that gap for every
line up to the signed one, as long as the private key is not in the case and the responder checks with
the public key they kept (``irkit verify CASE --public-key KEY.pub``): without it, a verifier can only
say that the signature in the case is consistent, not whose it is.

Needs the ``cryptography`` package (``pip install irkit[sign]``)::

    irkit keygen ~/keys/ir-2026-11          # writes the private key (mode 600) and KEY.pub
    irkit sign CASE --key ~/keys/ir-2026-11 # after each ingest; writes CASE/manifest.sig
    irkit verify CASE --public-key ~/keys/ir-2026-11.pub

What is signed is one canonical JSON text: ``{"irkit": "manifest-head", "lines": N, "sha256": H}``,
``H`` being the hash of line ``N`` (the chain's hash of everything before it included).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from irkit.errors import CaseError, UsageError

SIGNATURE = "manifest.sig"


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UsageError("signing needs the cryptography package: pip install 'irkit[sign]'") from exc
    return ed25519


def _message(lines: int, sha256: str) -> bytes:
    return json.dumps({"irkit": "manifest-head", "lines": lines, "sha256": sha256}, sort_keys=True).encode()


def generate_key(path: str | Path) -> str:
    """Write a new private key to ``path`` (PEM, mode 600) and its public key to ``path.pub`` (hex);
    return the public key."""
    from cryptography.hazmat.primitives import serialization

    ed25519 = _crypto()
    path = Path(path)
    if path.exists():
        raise UsageError("the key file exists already; not overwritten", path=path)
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    Path(f"{path}.pub").write_text(public + "\n")
    return str(public)


def _private_key(path: str | Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    ed25519 = _crypto()
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"not an ed25519 private key ({exc.__class__.__name__})", path=path) from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise UsageError("not an ed25519 private key", path=path)
    return key


def read_public_key(text_or_path: str) -> str:
    """A public key given as hex or as the path of a ``.pub`` file, as hex."""
    candidate = text_or_path.strip()
    if len(candidate) != 64 or any(c not in "0123456789abcdefABCDEF" for c in candidate):
        try:
            candidate = Path(text_or_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"not a public key (64 hex digits) nor a readable file: {exc.strerror}",
                             path=text_or_path) from exc
    if len(candidate) != 64 or any(c not in "0123456789abcdefABCDEF" for c in candidate):
        raise UsageError("a public key is 64 hex digits", path=text_or_path)
    return candidate.lower()


def sign(root: Path, key_path: str | Path) -> dict[str, Any]:
    """Sign the current head of the case's manifest; refuses a manifest with problems."""
    from cryptography.hazmat.primitives import serialization

    from irkit.lake import Manifest

    manifest = Manifest.read(root)
    if manifest.problems:
        first = manifest.problems[0]
        raise CaseError(f"not signing a damaged manifest: {first['problem']}: {first['detail']}", path=root)
    if not manifest.lines:
        raise CaseError("nothing to sign: the manifest is empty", path=root)
    key = _private_key(key_path)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    record = {"lines": manifest.lines, "sha256": manifest.last_hash, "public_key": public,
              "signature": key.sign(_message(manifest.lines, manifest.last_hash)).hex(),
              "signed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = root / (SIGNATURE + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    tmp.replace(root / SIGNATURE)
    return record


def check(root: Path, line_hashes: list[str], public_key: str | None) -> list[dict[str, Any]]:
    """Problems with the case's signature: missing (when a public key is given), made with another key,
    invalid, or over a head that is no longer in the chain."""
    path = root / SIGNATURE

    def problem(what: str, detail: str) -> list[dict[str, Any]]:
        return [{"kind": "signature", "path": SIGNATURE, "problem": what, "detail": detail}]

    if not path.exists():
        return problem("missing", "the case is not signed") if public_key else []
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        lines, sha, signer, signature = (int(record["lines"]), str(record["sha256"]), str(record["public_key"]),
                                         bytes.fromhex(record["signature"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return problem("damaged", f"unreadable signature record ({exc.__class__.__name__})")
    if public_key and signer.lower() != public_key.lower():
        return problem("other key", f"signed by {signer[:16]}…, not by the key given")
    ed25519 = _crypto()
    from cryptography.exceptions import InvalidSignature

    try:
        ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(signer)).verify(signature, _message(lines, sha))
    except (InvalidSignature, ValueError):
        return problem("invalid", "the signature does not match the signed head")
    if lines > len(line_hashes) or line_hashes[lines - 1] != sha:
        return problem("rewritten", f"line {lines}, which the signature covers, is not the signed one "
                       "(the manifest was rewritten up to there, or cut)")
    return []
