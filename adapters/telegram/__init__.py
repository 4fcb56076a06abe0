"""Telegram: python-telegram-bot runs the bot on real groups.

`translate` turns Bot API updates into core events (pure), `gateway` carries
the engine's actions out as Bot API calls, `runner` wires both into a
python-telegram-bot `Application` (`build_application`, `serve`), and
`replay` dry-runs recorded updates through the same translate code.
"""
