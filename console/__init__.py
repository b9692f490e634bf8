"""The headquarters web console (Django): operations, statistics, traces, audit.

Central side only (the `central` extra); the booth never imports it. Settings come from the
terminal config's [collector] section (database, suppress_below) and IMDMS_CONSOLE_* variables
(console.settings); docs/console.md describes pages, roles and the data model.
"""
