"""The append-only audit trail: the record every service writes (the page is app.admin.audit)."""
