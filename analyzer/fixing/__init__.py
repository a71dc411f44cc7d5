"""Applying fixes: composing a file's edits into one rewrite, placing imports,
writing atomically, and the fix rounds of `--fix`.

May import: `factorscan.core`, `factorscan.deploy`, `factorscan.python`,
`factorscan.scan`.
"""
