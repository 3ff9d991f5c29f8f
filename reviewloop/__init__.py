"""reviewloop: the implement-and-review loop of spec-driven development."""

__version__ = "0.1.0"
