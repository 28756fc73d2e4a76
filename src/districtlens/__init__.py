"""districtlens: a district innovation economy, kept, measured and briefed."""

__version__ = "0.1.0"
