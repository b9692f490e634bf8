"""The centre's answer to a booth's history question (issue 18 item 4): lookup.py reads the
person index, responder.py answers over the broker (sealed both ways, messaging/history_wire)."""
