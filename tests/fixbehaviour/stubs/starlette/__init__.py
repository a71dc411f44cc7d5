"""A fake Starlette: only `starlette.config`."""
