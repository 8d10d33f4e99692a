"""imr-rules: predict and explain California IMR outcomes from guideline rules."""

__version__ = "0.1.0"
