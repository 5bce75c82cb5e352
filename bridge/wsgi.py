"""gunicorn entry point: ``gunicorn bridge.wsgi:app`` with settings from the environment."""

from bridge import create_app
from channel.settings import Settings

app = create_app(Settings.from_env())
