"""Tracing at the centre: a person index over the received crossings, timelines, flags.

names: normalising names for comparison; schema: the index, link and audit tables; index:
building the index and linking records into persons; links: a supervisor's confirm and split;
timeline: a person's crossings; flags: entry/exit matching; audit: the append-only access log.
"""
