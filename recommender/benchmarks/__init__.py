"""``musicrec bench`` and the synthetic scale runs: tooling that measures the library, never imported to serve.

- ``bench``: the published approach and ours side by side (requests, throughput, builds, cold starts).
- ``encoders``: every encoder backend present, side by side, with its exactness against torch fp32.
- ``scale``: synthetic 100k/1M-song catalogs (``python -m recommender.benchmarks.scale --songs N``).
"""
