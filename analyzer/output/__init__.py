"""What a scan shows: the reporters (terminal, concise, json, sarif, ...), the
baseline and fingerprints, `--diff-base`, the generated rule docs and the
`factorscan env` report.

May import: every layer below (`core`, `deploy`, `python`, `scan`, `fixing`)
and the rules' metadata (`factorscan.checks`).
"""
