"""The core: settings, discovery, template sources, source files, findings, positions,
suppression, cache.

May import: nothing else of factorscan (the top package's `__version__` aside).
Everything else builds on it.
"""
