"""factorscan: find Twelve-Factor App anti-patterns in Python applications."""

__version__ = "0.2.0"

__all__ = ["__version__"]
