"""Read, validate, normalise and locate what the Commission's sources send.

Everything here works on files and data frames; nothing writes the store.
"""
