"""The Connections tab: the list, the form, and the live key check."""
