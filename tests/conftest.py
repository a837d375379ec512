"""Hypothesis profiles, chosen with TGE_HYPOTHESIS_PROFILE:

- ``dev``: quick and random, the default on a developer's machine;
- ``ci``: derandomized (the same examples every run), the default when CI is set;
- ``thorough``: ten times the examples of ``ci``, on demand.
"""

import os

from hypothesis import HealthCheck, settings

_common = dict(
    deadline=None,  # timings vary on shared machines; speed lives in benchmarks/
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=20, **_common)
settings.register_profile("ci", max_examples=40, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=400, **_common)
settings.load_profile(
    os.environ.get("TGE_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)
