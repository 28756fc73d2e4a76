"""Where a briefing file carries its manifest and its signature, how the Commission's key signs
the whole file, and how a verifier reads both back and checks the signature.

The manifest (figures, definitions, ledger head, the signing key's fingerprint) is part of the
rendered document: HTML in a `<script type="application/json" id="districtlens-manifest">`
element, PDF as an embedded file, DOCX as a package part. The signature covers the whole
document as rendered, manifest included, so that no byte of text, title, metadata, style, label
or unit can change without `verify` refusing the file:

- HTML: one `<script type="application/json" id="districtlens-signature">` element, which must
  stand just after the manifest's; it signs `canonical(html)`: the file's exact bytes with that
  one element removed, line endings normalised to LF;
- DOCX: the package part `/customXml/districtlens-signature.json` (rendered holding `null`); it
  signs `canonical(docx)`: the zip's comment, as its length (8 bytes, big-endian) and its bytes,
  then every other zip member, sorted by name, each as its UTF-8 name, a NUL, its length (8
  bytes, big-endian) and its bytes (uncompressed);
- PDF: a standard PAdES signature (pyHanko, a self-signed certificate for the Commission's key),
  appended as an incremental update whose byte range covers the whole file but the signature.

The command layer renders the document unsigned; the CLI, which alone holds the private key,
signs it (`write_signed`).
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from districtlens.briefing import signing
from districtlens.errors import InputError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from pyhanko.sign.signers import SimpleSigner

FORMATS = ("html", "pdf", "docx")
MANIFEST_NAME = "districtlens-manifest.json"
MANIFEST_DESCRIPTION = "districtlens briefing manifest"
DOCX_MANIFEST_PART = "/customXml/districtlens-manifest.json"
DOCX_MANIFEST_REL = "https://districtlens.org/relationships/briefing-manifest"
DOCX_SIGNATURE_PART = "/customXml/districtlens-signature.json"
DOCX_SIGNATURE_REL = "https://districtlens.org/relationships/briefing-signature"
DOCX_UNSIGNED = b"null"
HTML_MARKER = '<script type="application/json" id="districtlens-manifest">'
HTML_SIGNATURE_MARKER = b'<script type="application/json" id="districtlens-signature">'
HTML_END = "</script>"
PDF_SIGNATURE_FIELD = "districtlens-signature"

# pyHanko imports cryptography's DSA on import, which warns; briefings use no DSA, and the warning
# would reach every user of `brief --format pdf` and `brief verify` (pyHanko is imported on threads
# too, where a local catch_warnings would not hold).
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True)


def html_json(manifest: dict[str, Any]) -> str:
    """The manifest as the HTML's script element holds it (no `</` to end the element early)."""
    return manifest_json(manifest).replace("</", "<\\/")


def _html_signature_at(data: bytes) -> int:
    """Where an HTML briefing's signature element stands: just after the manifest element (so
    that moving it, into the title or an attribute, say, changes what the signature covers)."""
    manifest = data.find(HTML_MARKER.encode("utf-8"))
    if manifest < 0:
        raise ValueError("no manifest element")
    return data.index(HTML_END.encode("ascii"), manifest) + len(HTML_END)


def _html_signature_span(data: bytes) -> tuple[int, int] | None:
    """Where the signature element is in an HTML file, (start, end) in bytes, None when there is
    none; ValueError for one elsewhere than its place, two of them or an unclosed one."""
    start = data.find(HTML_SIGNATURE_MARKER)
    if start < 0:
        return None
    if start != _html_signature_at(data) or data.find(HTML_SIGNATURE_MARKER, start + 1) >= 0:
        raise ValueError("a signature element out of its place")
    end = data.find(HTML_END.encode("ascii"), start)
    if end < 0:
        raise ValueError("an unclosed signature element")
    return start, end + len(HTML_END)


def _member_name(part: str) -> str:
    return part.lstrip("/")


def canonical(data: bytes, fmt: str) -> bytes:
    """The bytes an HTML or DOCX briefing's signature covers: all of the file but the signature.
    ValueError when the file has no such form (two signature elements, a duplicated zip member)."""
    if fmt == "html":
        span = _html_signature_span(data)
        if span is not None:
            data = data[: span[0]] + data[span[1] :]
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [info.filename for info in package.infolist()]
        if len(names) != len(set(names)):
            raise ValueError("a zip member named twice")
        out = bytearray(len(package.comment).to_bytes(8, "big") + package.comment)
        for name in sorted(names):
            if name == _member_name(DOCX_SIGNATURE_PART):
                continue
            content = package.read(name)
            out += name.encode("utf-8") + b"\0" + len(content).to_bytes(8, "big") + content
        return bytes(out)


def embed(document: bytes, fmt: str, key: Ed25519PrivateKey) -> bytes:
    """The rendered `document` (as `fmt`) signed with `key`, the rest of it as rendered."""
    if fmt == "pdf":
        return _sign_pdf(document, key)
    block = json.dumps(signing.signature_block(canonical(document, fmt), key), sort_keys=True).encode("ascii")
    if fmt == "html":
        at = _html_signature_at(document)
        return document[:at] + HTML_SIGNATURE_MARKER + block + HTML_END.encode("ascii") + document[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            signature = member.filename == _member_name(DOCX_SIGNATURE_PART)
            target.writestr(member, block if signature else source.read(member))
    return out.getvalue()


def pdf_signer(key: Ed25519PrivateKey) -> SimpleSigner:
    """A pyHanko signer by `key`, its self-signed certificate naming it."""
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    (cert,) = load_certs_from_pemder_data(signing.certificate(key).public_bytes(serialization.Encoding.DER))
    private = load_private_key_from_pemder_data(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        passphrase=None,
    )
    return signers.SimpleSigner(
        signing_cert=cert, signing_key=private, cert_registry=SimpleCertificateStore.from_certs([cert])
    )


def _sign_pdf(document: bytes, key: Ed25519PrivateKey) -> bytes:
    """The PDF with a PAdES signature by `key` appended as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name=PDF_SIGNATURE_FIELD, subfilter=fields.SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(document), strict=False)
    return bytes(signers.sign_pdf(writer, meta, signer=pdf_signer(key)).getvalue())


def write_signed(document: bytes, fmt: str, manifest: dict[str, Any], key: Ed25519PrivateKey, out: Path) -> None:
    """Sign the rendered `document` with `key` and write it to `out`. The manifest must name the
    key by its fingerprint (the document shows it): a manifest made for another key is refused."""
    if manifest.get("key_fingerprint") != signing.fingerprint(key.public_key()):
        raise InputError("brief.key_mismatch")
    signed = embed(document, fmt, key)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(signed)


def file_format(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(data)):
        return "docx"
    return "html"


def read_manifest(data: bytes, fmt: str, path: str) -> dict[str, Any] | None:
    """The manifest the briefing file at `path` carries, None when it carries none; InputError
    when it is no JSON object."""
    if fmt == "pdf":
        from pypdf import PdfReader

        found = PdfReader(io.BytesIO(data)).attachments.get(MANIFEST_NAME)
        raw = found[0] if found else None
    elif fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            name = _member_name(DOCX_MANIFEST_PART)
            raw = package.read(name) if name in package.namelist() else None
    else:
        text = data.decode("utf-8", errors="replace")
        start = text.find(HTML_MARKER)
        end = text.find(HTML_END, start)
        raw = text[start + len(HTML_MARKER) : end].replace("<\\/", "</").encode("utf-8") if start >= 0 else None
    if raw is None:
        return None
    try:
        manifest = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("brief.manifest_not_json", path=path, reason=str(exc)) from exc
    if not isinstance(manifest, dict):
        raise InputError("brief.manifest_not_json", path=path, reason=type(manifest).__name__)
    return manifest


def check_signature(data: bytes, fmt: str, public: Ed25519PublicKey) -> str:
    """The verdict on the whole file's signature by `public`: one of `signing.VERDICTS`."""
    if fmt == "pdf":
        return _check_pdf(data, public)
    try:
        if fmt == "html":
            span = _html_signature_span(data)
            raw = data[span[0] + len(HTML_SIGNATURE_MARKER) : span[1] - len(HTML_END)] if span else None
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                raw = package.read(_member_name(DOCX_SIGNATURE_PART))
        block = json.loads(raw) if raw is not None else None
        return signing.check_block(block, canonical(data, fmt), public)
    except (ValueError, KeyError, zipfile.BadZipFile):
        return "malformed"


def _check_pdf(data: bytes, public: Ed25519PublicKey) -> str:
    """The PDF holds one PAdES signature, by the Commission's key, intact, over the whole file."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.pdf_embedded import SignatureCoverageLevel

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if not signatures:
            return "unsigned"
        if len(signatures) > 1:  # a second signature is a later revision
            return "updated_after_signing"
        signature = signatures[0]
        if signature.signer_cert.public_key.dump() != signing.public_der(public):
            return "another_key"
        intact, valid = validate_sig_integrity(
            signature.signer_info, signature.signer_cert, "data", signature.compute_digest()
        )
        if not (intact and valid):
            return "altered"
        if signature.evaluate_signature_coverage() != SignatureCoverageLevel.ENTIRE_FILE:
            return "updated_after_signing"
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError):
        return "altered"
    return "valid"
