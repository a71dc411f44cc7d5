"""What Python code means: the batched libcst traversal and its per-file context,
imports and the import map, name and constant inference, assignment targets,
request handlers and servers, environment reads, secrets, backing services, and
the codemod builders that rules use to write fixes (with `definition_time`: required
lookups that do not run at import).

May import: `factorscan.core`, `factorscan.deploy`, and `factorscan.checks.base`
for type checking only.
"""
