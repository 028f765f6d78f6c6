"""``irkit keygen``, ``sign``: an optional ed25519 signature over the manifest's head (:mod:`irkit.signing`).

``irkit verify CASE --public-key KEY.pub`` checks it. Needs ``pip install 'irkit[sign]'``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from irkit.cli._common import open_existing, say


def _register_keygen(commands: Any) -> None:
    p = commands.add_parser("keygen", help="create an ed25519 key pair for signing cases",
                            description="Write a new private key to KEY (mode 600) and its public key to KEY.pub. "
                            "Keep the private key outside every case folder, and the public key where the "
                            "verifier can trust it.")
    p.add_argument("key", help="private key file to create")
    p.set_defaults(handler=_keygen)


def _keygen(args: argparse.Namespace) -> int:
    from irkit import signing

    public = signing.generate_key(args.key)
    say(f"private key written to {args.key}; public key {public} written to {args.key}.pub")
    return 0


def _register_sign(commands: Any) -> None:
    p = commands.add_parser("sign", help="sign the head of a case's manifest",
                            description="Sign the manifest's last line (whose hash covers every line before it) "
                            "with an ed25519 key; writes CASE/manifest.sig. Sign again after each ingest. "
                            "`irkit verify CASE --public-key KEY.pub` then catches a manifest rewritten up to the "
                            "signed line, even with its hash chain and head rebuilt.")
    p.add_argument("case", help="case folder")
    p.add_argument("--key", required=True, help="private key file (from `irkit keygen`)")
    p.set_defaults(handler=_sign)


def _sign(args: argparse.Namespace) -> int:
    from irkit import signing

    case = open_existing(args.case)
    record = signing.sign(Path(case.root), args.key)
    say(f"signed line {record['lines']} ({record['sha256'][:16]}…) with key {record['public_key'][:16]}…")
    return 0


def register(commands: Any) -> None:
    for add in (_register_keygen, _register_sign):
        add(commands)
