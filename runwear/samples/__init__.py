"""Generators of sample GPX and FIT files with exactly known figures (demo and tests)."""
