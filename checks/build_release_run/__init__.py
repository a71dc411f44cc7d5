"""Factor V, Build, release, run: a build is reproducible, and a release never changes at run time.

Rules, in code order:

- FS0501 mutable-base-image (`mutable_base_image.py`)
- FS0502 runtime-install (`runtime_install.py`)
- FS0503 unpinned-image-install (`unpinned_image_install.py`)
- FS0504 build-step-at-start (`build_step_at_start.py`)
- FS0505 mutable-deploy-image (`mutable_deploy_image.py`)
"""

from factorscan.checks.build_release_run.build_step_at_start import BuildStepAtStart
from factorscan.checks.build_release_run.mutable_base_image import MutableBaseImage
from factorscan.checks.build_release_run.mutable_deploy_image import MutableDeployImage
from factorscan.checks.build_release_run.runtime_install import RuntimeInstall
from factorscan.checks.build_release_run.unpinned_image_install import UnpinnedImageInstall

__all__ = [
    "BuildStepAtStart",
    "MutableBaseImage",
    "MutableDeployImage",
    "RuntimeInstall",
    "UnpinnedImageInstall",
]
