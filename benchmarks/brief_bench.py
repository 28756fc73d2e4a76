"""Benchmark: a full briefing (every figure computed, signed, laid out as PDF) on a large store.

Builds a store with the Jing'an pack and the synthetic demo registry (1,000,000 enterprises, six
years of facts; `--quick`: 20,000), or reuses `--db` when it exists, then times: computing the
figures, writing the PDF (WeasyPrint), and, for each format (HTML, PDF, DOCX), signing the whole
document, checking its signature alone, and `verify` (the signature, then every figure
recomputed). Target: under 10 s for the PDF briefing (figures + PDF) at 1,000,000 enterprises.

    .venv/bin/python benchmarks/brief_bench.py [--quick] [--db var/bench-1m.duckdb] [--lang zh]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import command, machine  # noqa: E402

from districtlens.briefing import document, render, signing  # noqa: E402
from districtlens.briefing.verify import verify  # noqa: E402
from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame  # noqa: E402
from districtlens.demo import generate_registry  # noqa: E402
from districtlens.ingest.packs import load_pack, pack_rows  # noqa: E402
from districtlens.store import open_store  # noqa: E402
from districtlens.store.db import Store  # noqa: E402
from districtlens.store.packs import write_pack  # noqa: E402

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TARGET_SECONDS = 10.0


def build_store(path: Path, n: int) -> float:
    started = time.perf_counter()
    with open_store(path) as store:
        write_pack(store, pack_rows(load_pack("jingan")), actor="bench")
        report = import_frame(
            Context(store=store, actor="bench"),
            generate_registry(7, n),
            source={"name": "demo registry", "kind": "demo"},
            synthetic=True,
        )
        if not report.written:
            raise SystemExit(f"the demo import was refused: {report.errors[:3]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises instead of 1,000,000")
    parser.add_argument("--db", type=Path, help="store to reuse (built there when missing)")
    parser.add_argument("--lang", default="zh", choices=["zh", "en", "fr"])
    args = parser.parse_args()
    n = 20_000 if args.quick else 1_000_000

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or folder / "bench.duckdb"
        built = None if db.exists() else build_store(db, n)
        key = folder / "key.pem"
        signing.generate(key)
        with open_store(db, read_only=True) as store:
            enterprises = store.con.execute("SELECT count(*) FROM enterprise_current").fetchone()[0]
            timings: dict[str, float] = {}
            out = folder / "briefing.pdf"
            private = signing.load_private(key)
            # As `districtlens brief`: rendered by the command layer, signed and written by the CLI.
            briefing, unsigned = render.render(
                store, "310106", args.lang, "pdf", signing.fingerprint(private.public_key()), timings
            )
            public = signing.load_public(key)
            checks = {"pdf": time_checks(store, out, unsigned, briefing.manifest, private, public)}
            figures_s, total_s = timings["figures_s"], timings["total_s"] + checks["pdf"][0]
            for fmt in ("html", "docx"):
                path = folder / f"briefing.{fmt}"
                checks[fmt] = time_checks(
                    store, path, render.to_document(briefing, fmt), briefing.manifest, private, public
                )

        print(f"machine: {machine()}")
        print(f"command: {command()}")
        print(
            f"store: {db} ({enterprises:,} enterprises)"
            + (f", built in {built:.1f} s" if built is not None else ", reused")
        )
        print(f"figures: {len(briefing.figures)} computed in {figures_s:.2f} s")
        judged = (
            f"target < {TARGET_SECONDS:.0f} s: {'met' if total_s < TARGET_SECONDS else 'NOT met'}"
            if enterprises >= 1_000_000
            else "the target applies at 1,000,000 enterprises"
        )
        print(
            f"PDF briefing ({args.lang}, {out.stat().st_size / 1024:.0f} KiB): {total_s:.2f} s"
            f" (figures + PDF + signature; {judged})"
        )
        for fmt, (sign_s, signature_s, verify_s, holds) in checks.items():
            print(
                f"{fmt}: signed in {sign_s:.3f} s; signature checked in {signature_s:.3f} s;"
                f" verify {verify_s:.2f} s, {'all hold' if holds else 'DIFFERS'}"
            )


def time_checks(
    store: Store,
    out: Path,
    rendered: bytes,
    manifest: dict[str, Any],
    private: Ed25519PrivateKey,
    public: Ed25519PublicKey,
) -> tuple[float, float, float, bool]:
    """(seconds to sign, to check the signature alone, to verify, whether it holds) of the
    `rendered` briefing (as `out`'s suffix), signed by `private` and written to `out` as
    `districtlens brief` does."""
    fmt = out.suffix.lstrip(".")
    started = time.perf_counter()
    document.write_signed(rendered, fmt, manifest, private, out)
    sign_s = time.perf_counter() - started
    data = out.read_bytes()
    started = time.perf_counter()
    signature = document.check_signature(data, fmt, public)
    signature_s = time.perf_counter() - started
    started = time.perf_counter()
    verdict = verify(store, out, public)
    verify_s = time.perf_counter() - started
    return sign_s, signature_s, verify_s, verdict.holds and signature == "valid"


if __name__ == "__main__":
    main()
