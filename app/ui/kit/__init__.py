"""The small kit the tabs share: layout helpers, widgets, the look, number formats, table models."""
