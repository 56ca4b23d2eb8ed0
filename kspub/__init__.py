"""kspub: legal agreements as code — parse, lint, diff, notice windows and publishing."""

__version__ = "0.1.0"
