"""Industry chains: templates (YAML data), placement of enterprises in links, chain health,
investment targets and the chain graph. Pure functions on frames; SQL lives in store/chains.py."""
