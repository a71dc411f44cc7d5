"""A fake Werkzeug package (see werkzeug.serving)."""
