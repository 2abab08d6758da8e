"""Benchmarks, the synthetic reference collection and the cache's correctness check."""
