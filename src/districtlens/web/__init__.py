"""The Commission's web app: the only part of districtlens that speaks HTTP."""
