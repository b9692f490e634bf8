"""imdms: the border-post terminal of Lesotho's Integrated Migration Data Management System.

This package is the kernel every other package may import: the version and the error types
(imdms.errors), and the check-result type shared by `imdms doctor` and the centre's checks
(imdms.checks). It must stay import-light: the CLI lives in imdms.cli, which nothing below it
imports (an import-linter layers contract in pyproject.toml holds the order).
"""

from imdms._version import __version__

__all__ = ["__version__"]
