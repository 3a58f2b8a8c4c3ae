"""The console: server-rendered pages under ``/console`` for a person (``app.Console``)."""
