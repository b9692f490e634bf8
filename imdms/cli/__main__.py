"""`python -m imdms.cli`: the same as the `imdms` console script."""

import sys

from imdms.cli import main

sys.exit(main())
