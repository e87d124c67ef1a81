"""Refuse ``import nn`` when another distribution owns the name 'nn', or the 'autograd' it needs.

The check is autograd/_guard.py's, loaded by path: the importable ``autograd`` may be another's.
"""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("_guard", Path(__file__).resolve().parents[1] / "autograd" / "_guard.py")
spec.loader.exec_module(guard := importlib.util.module_from_spec(spec))  # type: ignore[union-attr, arg-type]  # the file is there
guard.check_dependent("nn")
