"""`python -m bot` is the same as `sendbot`."""

import sys

from .cli import main

sys.exit(main())
