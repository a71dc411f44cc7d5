"""Template sources (Jinja, cookiecutter, copier): files that become Python, Dockerfiles or
manifests only once rendered. They are not checked as what they will become: their findings
would be about placeholders, and their syntax is not yet the language's. A scan counts them."""

from __future__ import annotations

import re

# A path part that a template renders: `{{cookiecutter.project_slug}}`, `{% if x %}name{% endif %}`.
_TEMPLATED_PART = re.compile(r"\{\{.*\}\}|\{%.*%\}")
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")

# Jinja markup: a block tag opening a line (`{% if cookiecutter.use_celery == "y" %}`), or an
# expression on a name (`{{ cookiecutter.version }}`, `{{project_name|lower}}`). Go templates
# (`{{.Names}}` in `docker ps --format`) start with a dot and are not Jinja.
_BLOCK_TAG = re.compile(r"^[ \t]*\{%-?[ \t]*[A-Za-z_]", re.MULTILINE)
_EXPRESSION = re.compile(r"\{\{-?[ \t]*[A-Za-z_][\w.]*[ \t]*(\|[^{}\n]*)?-?\}\}")


def is_template_path(relative_path: str) -> bool:
    """A file under a folder a template names (`{{cookiecutter.project_slug}}/app.py`), or a
    template file by its suffix (`Dockerfile.j2`, `settings.py.jinja`)."""
    parts = relative_path.strip("/").split("/")
    return parts[-1].endswith(_TEMPLATE_SUFFIXES) or any(_TEMPLATED_PART.search(part) for part in parts)


def has_template_markup(text: str) -> bool:
    """Jinja markup anywhere in `text`: for Dockerfiles and manifests, which never hold it."""
    return "{" in text and (_BLOCK_TAG.search(text) is not None or _EXPRESSION.search(text) is not None)


def template_markup_on_line(text: str, row: int) -> bool:
    """Jinja markup on line `row` (1-based): where Python that does not parse is a template."""
    lines = text.splitlines()
    return 0 < row <= len(lines) and has_template_markup(lines[row - 1])
