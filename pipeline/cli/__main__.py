"""`python -m pipeline.cli`: the same as the `bitext` command."""

from . import app

app()
