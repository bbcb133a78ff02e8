"""``python -m bots.cli``."""

from bots.cli.main import app

app()
