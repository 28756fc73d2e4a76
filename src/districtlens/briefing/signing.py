"""The Commission's signing key (Ed25519, RFC 8032) and what it signs: a whole briefing.

An HTML or DOCX briefing carries a signature element (`signature_block`): the key's fingerprint
and its Ed25519 signature over the document's canonical form, every byte of it but that element
(`document.canonical`). A PDF carries a standard embedded signature (PAdES, `document`), whose
signer is named by a self-signed certificate for the same key (`certificate`). The private key
stays with the Commission (`districtlens brief keygen --out KEYFILE` writes KEYFILE, mode 0600,
and KEYFILE.pub); verifying needs either. A fingerprint is the SHA-256 of the raw public key.

The private key is read and used only where the briefing is signed, in the CLI's process: the
command layer that renders the briefing is given the key's fingerprint, and the one that
verifies it the public key (`public_pem`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from districtlens.briefing import KEY_ENV
from districtlens.errors import InputError, NotFound

SIGNATURE_FORMAT = "districtlens-signature/1"
CERTIFICATE_NAME = "districtlens briefing signing key"
CERTIFICATE_DAYS = 36500  # the certificate's dates are no check of ours: a briefing stays verifiable
# What `verify` finds of a briefing's signature; each has a text `brief.verdict_<name>`.
VERDICTS = ("valid", "unsigned", "malformed", "another_key", "altered", "updated_after_signing")


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


def signature_block(canonical: bytes, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signature element of an HTML or DOCX briefing: the key's fingerprint and its Ed25519
    signature over the document's canonical form (`document.canonical`)."""
    return {
        "format": SIGNATURE_FORMAT,
        "key_fingerprint": fingerprint(key.public_key()),
        "signature": base64.b64encode(key.sign(canonical)).decode("ascii"),
    }


def check_block(block: Any, canonical: bytes, public: Ed25519PublicKey) -> str:
    """The verdict on a signature element over `canonical`: one of `VERDICTS`."""
    if block is None:
        return "unsigned"
    if (
        not isinstance(block, dict)
        or block.get("format") != SIGNATURE_FORMAT
        or not isinstance(block.get("signature"), str)
    ):
        return "malformed"
    if block.get("key_fingerprint") != fingerprint(public):
        return "another_key"
    try:
        public.verify(base64.b64decode(block["signature"], validate=True), canonical)
    except (InvalidSignature, ValueError):
        return "altered"
    return "valid"


def certificate(key: Ed25519PrivateKey) -> x509.Certificate:
    """A self-signed X.509 certificate for `key`, as a PDF signature (PAdES) must name its signer
    by certificate. It is made afresh at each signing and proves nothing by itself: `verify`
    trusts the public key it carries only when it is the Commission's key."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERTIFICATE_NAME)])
    now = datetime.now(UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, None)
    )


def public_der(public: Ed25519PublicKey) -> bytes:
    """The public key as DER SubjectPublicKeyInfo, as a certificate carries it."""
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
