"""The History tab: every run, its details and rejected rows."""
