"""What a deployment descriptor is for, judged by its path: the development and test images
and compose files a project keeps next to the ones it deploys."""

from __future__ import annotations

import re

# Words of a path (folders and file name, split at `/ . _ -`) that mark a descriptor for
# development or tests. `demo` and `example` are not among them: a demo image is deployed.
_DEVELOPMENT_WORDS = frozenset(
    {
        *("dev", "develop", "development", "devcontainer", "local", "debug", "ci"),
        *("test", "tests", "testing", "unittest", "unittests", "e2e"),
    }
)


def is_development_descriptor(relative_path: str) -> bool:
    """`Dockerfile.dev`, `dev.Dockerfile`, `docker/development/Dockerfile`,
    `.devcontainer/Dockerfile`, `docker-compose.override.dev.yml`, `compose.test.yaml`."""
    return not _DEVELOPMENT_WORDS.isdisjoint(re.split(r"[/._-]+", relative_path.lower()))
