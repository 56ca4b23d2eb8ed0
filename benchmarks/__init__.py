"""Benchmarks run by `make bench` (`python -m benchmarks`): every figure beside a floor measured in the same run."""
