"""The Mapping tab: saved exports, the export form, its field mapping and its checks."""
