"""sendbot on Telegram (python-telegram-bot 22): `main(args)` runs it by long polling or webhook."""

from .main import main

__all__ = ["main"]
