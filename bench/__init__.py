"""Benchmarks run by `make bench`; each `bench_*.py` module exposes `run() -> list[Row]`."""
