"""Briefings: the Commission's figures for an area in zh/en/fr, as HTML, PDF or DOCX, each figure
traceable to its definition, the data snapshot and its sources, signed whole so that `verify` can
prove the file unaltered and recompute every figure from the store.

`figures` plans and computes the figures, `render` lays them out with their manifest, unsigned,
`signing` and `document` sign the whole document (where the private key is), `verify` checks a
file. The package imports none of them, so that naming `KEY_ENV` costs nothing.
"""

# The environment variable naming the Commission's private key file when no key file is given.
KEY_ENV = "DISTRICTLENS_SIGNING_KEY"
