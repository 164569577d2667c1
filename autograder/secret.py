"""The instructor's secret, and the hidden-input seed it gives each submission.

The hidden tests' inputs are drawn from a seed that is a keyed hash (HMAC-SHA256) of
the assignment and the submitted file's bytes under a secret only the instructor
holds. The same file re-grades to the same inputs and score; a different file, or
another secret, gets other inputs; and nothing in the repository, the sandbox or an
earlier feedback page tells a student which inputs their next file will meet.

The secret is a file of random bytes, kept outside the repository and never bound
into the sandbox: $ZTH_SECRET_FILE, or ~/.config/zero-to-hero/secret (made on first
use, mode 0600).

>>> seed_for(b"k" * 32, "01_micrograd", b"{}") == seed_for(b"k" * 32, "01_micrograd", b"{}")
True
>>> seed_for(b"k" * 32, "01_micrograd", b"{}") != seed_for(b"j" * 32, "01_micrograd", b"{}")
True
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

MIN_BYTES = 16


class SecretError(Exception):
    """The secret file exists but cannot be used."""


def secret_path() -> Path:
    env = os.environ.get("ZTH_SECRET_FILE")
    return Path(env) if env else Path.home() / ".config" / "zero-to-hero" / "secret"


def load_secret(path: Path | None = None, create: bool = True) -> bytes:
    """The secret's bytes; a new random one is written (0600) if the file is absent."""
    path = path or secret_path()
    if not path.exists():
        if not create:
            raise SecretError(f"no secret file at {path}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    data = path.read_bytes().strip()
    if len(data) < MIN_BYTES:
        raise SecretError(f"the secret in {path} is shorter than {MIN_BYTES} bytes")
    return data


def seed_for(secret: bytes, assignment: str, submission: bytes) -> int:
    """The hidden-input seed of one submitted file (a 48-bit integer)."""
    msg = assignment.encode() + b"\0" + hashlib.sha256(submission).digest()
    return int.from_bytes(hmac.new(secret, msg, hashlib.sha256).digest()[:6], "big")
