"""Hypothesis profiles for the whole suite.

- ``ci`` (the default): derandomized, so every run draws the same examples
  and a failure reproduces; no deadline, because timings vary on CI machines.
- ``thorough``: ten times the examples, fresh random draws each run:
  ``python -m pytest --hypothesis-profile=thorough``.

Property tests that need more examples than the profile's base count ask for
a multiple of it (see tests/autograd/test_properties.py), so ``thorough``
scales them too.
"""

import os

# One BLAS thread for the suite and the interpreters it starts: on a small
# machine OpenBLAS's threads compete with one another and with the test
# processes (a 100×784 by 784×100 product took 50-80 ms instead of 1.2 ms
# under load). Set before NumPy is first imported, which happens after this.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)


def pytest_configure(config):
    # The hypothesis plugin loads the profile named on the command line; only
    # without one do we pick the default.
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("ci")
