"""The Segments tab: imported profile sources, segments, their rules and live counts."""
