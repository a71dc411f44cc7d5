"""The fix behaviour harness (issue 15 §1): a fix is safe when the program behaves the same.

stubs/ holds small fake frameworks that record what a program asked for;
runner.py runs programs against them; harness.py builds the corpus, applies
`factorscan --fix` and compares what the programs did before and after.
"""
