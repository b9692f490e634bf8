"""Central retention: which rows have expired (policy.py, crossings.py) and the purge that
deletes them, itself audited (purge.py; `imdms purge`, run daily by imdms-purge.timer)."""
