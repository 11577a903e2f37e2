"""Shared test settings: hypothesis profiles (select with HYPOTHESIS_PROFILE=dev|ci|thorough)."""

import os

from hypothesis import HealthCheck, settings

# No deadline: timings on a shared 2-core machine are noisy, and a slow example is not a bug.
settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=150, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
