"""A fake gunicorn package: `gunicorn.app.base.BaseApplication` records the bind and log files."""
