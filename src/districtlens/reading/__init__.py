"""Reading what the district reads: an article or a policy text (txt, md, html, docx, pdf, in zh,
fr or en) becomes its language, its sentences, the firms and places it names (each linked to its
record with a confidence), the figures it states, and proposed claims that wait for a person to
accept them into the claims register.

`extract` turns a file into text (offsets refer to that text, whose SHA-256 names the document);
`language` and `sentences` detect and split; `mentions` finds names through a gazetteer of the
store's registry and the pack's places; `figures` reads values with units and years (words in
figures.yaml); `propose` turns a sentence that states a checkable figure into a proposed claim
and its query (words in vocabulary.yaml, read by `vocabulary`); `read` runs them all on a
document. The review queue is `districtlens.store.proposals`; docs/reading.md says how.
"""
