"""What runs the code: Dockerfiles and build contexts, shell commands, Procfile,
compose and entrypoint scripts, dependency manifests, the system tools an image has,
and the deployment model: YAML, Kubernetes, kustomize, Helm, skaffold and Tilt.

May import: `factorscan.core`.
"""
