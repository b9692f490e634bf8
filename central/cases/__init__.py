"""Referral cases at the centre: a case per referred crossing, its notices, its lifecycle.

schema: the tables; lifecycle: statuses and transitions; store: opening, reading and changing
cases (audited); roster: who is on duty; notify, smtp, http_hook: the pluggable notifiers;
dispatcher: sending notices with retries and the booth's referral receipt; desk: the
collector's hook; health: the doctor's check.
"""
