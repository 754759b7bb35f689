"""Benchmarks run by `make bench`: each figure beside its floor, measured in the same run."""
