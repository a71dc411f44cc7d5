"""A scan: the project model (built once) and the engine that runs the enabled
rules over every file and the project, in a process pool with a cache.

May import: `factorscan.core`, `factorscan.deploy`, `factorscan.python`, and
the rule framework (`factorscan.checks` registry and `factorscan.checks.base`),
never a rule module by name.
"""
