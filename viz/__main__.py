"""``python -m viz``: see ``python -m viz --help``."""

import sys

from .cli import main

sys.exit(main())
