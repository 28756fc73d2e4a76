"""The Commission's signing key (Ed25519, RFC 8032) and the signed manifest of a briefing.

The manifest lists every figure (id, reference, definition, parameters, value, display) with the
ledger head at generation; the signature covers its canonical JSON (sorted keys, no spaces). The
private key stays with the Commission (`districtlens brief keygen --out KEYFILE` writes KEYFILE,
mode 0600, and KEYFILE.pub); verifying needs either. The manifest names the key by fingerprint
(SHA-256 of the raw public key), so a briefing re-signed with another key is refused.

The private key is read and used only where the briefing is signed, in the CLI's process: the
command layer that renders the briefing is given the key's fingerprint, and the one that
verifies it the public key (`public_pem`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from districtlens.briefing import KEY_ENV
from districtlens.errors import InputError, NotFound
from districtlens.store import ledger


def generate(out: Path) -> tuple[Path, Path]:
    """Write a new private key (PEM, PKCS#8, mode 0600) and its public key beside it (.pub)."""
    if out.exists():
        raise InputError("brief.key_exists", path=str(out))
    key = Ed25519PrivateKey.generate()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    public = out.with_name(out.name + ".pub")
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return out, public


def key_path(given: Path | None) -> Path:
    """The key file given, else the one $DISTRICTLENS_SIGNING_KEY names."""
    path = given or (Path(os.environ[KEY_ENV]) if os.environ.get(KEY_ENV) else None)
    if path is None:
        raise InputError("brief.no_key", env=KEY_ENV)
    if not path.is_file():
        raise NotFound("brief.no_key_file", path=str(path))
    return path


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError("brief.not_a_private_key", path=str(path), reason=str(exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("brief.not_ed25519", path=str(path))
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key from a public key file, or derived from a private key file."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    return public_from_pem(data, str(path))


def public_from_pem(pem: bytes, where: str) -> Ed25519PublicKey:
    """The public key of PEM text (`where` names it in errors: a file, or the arguments)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise InputError("brief.not_a_public_key", path=where, reason=str(exc)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("brief.not_ed25519", path=where)
    return key


def public_pem(public: Ed25519PublicKey) -> str:
    """The public key as PEM text, as the verify command takes it."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(manifest: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """{"manifest": ..., "signature": base64}. The manifest names the key that signs it by its
    fingerprint (the document shows it): a manifest made for another key is refused."""
    if manifest.get("key_fingerprint") != fingerprint(key.public_key()):
        raise InputError("brief.key_mismatch")
    signature = key.sign(ledger.canonical(manifest).encode("utf-8"))
    return {"manifest": manifest, "signature": base64.b64encode(signature).decode("ascii")}


def check(signed: dict[str, Any], public: Ed25519PublicKey) -> str | None:
    """None when the signature holds for this key, else what is wrong."""
    manifest = signed.get("manifest")
    if isinstance(manifest, dict) and signed.get("signature") is None:
        return "the manifest was never signed"
    if not isinstance(manifest, dict) or not isinstance(signed.get("signature"), str):
        return "the embedded manifest is malformed"
    if manifest.get("key_fingerprint") != fingerprint(public):
        return "the manifest was signed with another key than the one given"
    try:
        public.verify(base64.b64decode(signed["signature"]), ledger.canonical(manifest).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return "the signature over the figures does not hold: the manifest was altered"
    return None
