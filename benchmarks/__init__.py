"""Benchmarks (medians on a 20 000-dossier demo database); run with `./run bench`."""
