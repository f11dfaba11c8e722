"""Readers: how a file of each kind becomes the text the linter reads.

Each reader keeps the text exactly as long as the file and every line end in place,
blanking (replacing with spaces) what is not to be linted, so that offsets, lines and
columns need no mapping back to the file: see ``markdown`` and ``eml``. Which reader
reads a file is decided by its extension in ``referral_lint.inputs``.
"""
