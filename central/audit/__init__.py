"""The central audit log: one hash-chained, append-only table (`audit_log`) holding the booths'
audit events and every central view of personal data (docs/security.md, "Audit")."""
