"""Factor III, Config: store config in the environment.

One finding per value: a password inside a backing-service URL is FS0401's
(error severity), a secret that is the default of an environment read is
FS0302's, every other secret literal is FS0301's.

Rules, in code order:

- FS0301 hardcoded-secret (`hardcoded_secret.py`)
- FS0302 secret-default (`secret_default.py`)
- FS0303 hardcoded-debug (`hardcoded_debug.py`)
- FS0304 secret-file-in-image (`secret_file_in_image.py`)
- FS0305 secret-in-dockerfile (`secret_in_dockerfile.py`)
- FS0306 secret-in-manifest (`secret_in_manifest.py`)
- FS0307 config-not-provided (`config_not_provided.py`)
- FS0308 config-never-read (`config_never_read.py`)
"""

from factorscan.checks.config.config_never_read import ConfigNeverRead
from factorscan.checks.config.config_not_provided import ConfigNotProvided
from factorscan.checks.config.hardcoded_debug import HardcodedDebug
from factorscan.checks.config.hardcoded_secret import HardcodedSecret
from factorscan.checks.config.secret_default import SecretDefault
from factorscan.checks.config.secret_file_in_image import SecretFileInImage
from factorscan.checks.config.secret_in_dockerfile import SecretInDockerfile
from factorscan.checks.config.secret_in_manifest import SecretInManifest

__all__ = [
    "ConfigNeverRead",
    "ConfigNotProvided",
    "HardcodedDebug",
    "HardcodedSecret",
    "SecretDefault",
    "SecretFileInImage",
    "SecretInDockerfile",
    "SecretInManifest",
]
