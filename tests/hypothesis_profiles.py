"""Hypothesis profiles, loaded by tests/conftest.py.

- "ci" (the default): derandomised, so every run tries the same examples and a failure
  is reproducible; a fixed number of examples per test (the fuzz tests take a share of
  it, see FORM_EXAMPLES and POST_EXAMPLES); no example database (nothing written to
  .hypothesis/); no deadline (a PostgreSQL round trip is not a performance bug).
- "explore": a longer random run to look for new failures, e.g.
  ``HYPOTHESIS_PROFILE=explore pytest tests/test_fuzz_forms.py tests/test_fuzz_posts.py``.
  A failure it finds prints the example; pin it as a regression test beside the feature.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
}
# 10: the fuzz tests cost about a minute with -n 2 and `make test` stays near 10 minutes.
settings.register_profile("ci", max_examples=10, derandomize=True, **_COMMON)
settings.register_profile("explore", max_examples=300, derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Examples per form and per POST endpoint in the fuzz tests: a form costs a few
# milliseconds, a POST a request and a look over every table.
FORM_EXAMPLES = settings.default.max_examples
POST_EXAMPLES = max(1, settings.default.max_examples // 2)
