"""Scripts that measure the pipeline: corpora, evaluation and benchmarks (not tests)."""
