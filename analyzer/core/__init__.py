"""The core: settings, discovery, template sources, source files, findings, positions,
suppression, cache, and Ctrl-C handling (interrupts).

May import: nothing else of factorscan (the top package's `__version__` aside).
Everything else builds on it.
"""
