"""Hypothesis settings profiles for the property tests.

``default`` (every CI run): 100 examples, derandomized, so CI explores the same examples every
time and never depends on hypothesis' example database (which CI does not keep). Failures found
once are pinned as ``@example`` regression cases in the test module instead.
``large`` (on demand): ``SIM_HYPOTHESIS_PROFILE=large python -m pytest tests/property``: 2000
random examples; a failure prints a reproduction blob for ``@reproduce_failure``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# generating a whole config per example is slow and large by hypothesis' standards: by design
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("default", max_examples=100, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_SLOW_OK)
settings.register_profile("large", max_examples=2000, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("SIM_HYPOTHESIS_PROFILE", "default"))
