"""Briefings: the Commission's figures for an area in zh/en/fr, as HTML, PDF or DOCX, each figure
traceable to its definition, the data snapshot and its sources, signed so that `verify` can prove
the file unaltered and recompute every figure from the store.
"""

from districtlens.briefing.render import (
    FORMATS,
    Briefing,
    BriefingError,
    build,
    make,
    to_docx,
    to_html,
    to_pdf,
    write,
)
from districtlens.briefing.signing import SigningKeyError
from districtlens.briefing.verify import Verdict, VerifyError, verify

__all__ = ["FORMATS", "Briefing", "BriefingError", "SigningKeyError", "Verdict", "VerifyError", "build", "make",
           "to_docx", "to_html", "to_pdf", "verify", "write"]
