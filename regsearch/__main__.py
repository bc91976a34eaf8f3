"""`python -m regsearch …` is the `regsearch` command."""

from regsearch.cli import main

main()
