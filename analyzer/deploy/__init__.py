"""What runs the code: Dockerfiles and build contexts, shell commands, Procfile,
compose and entrypoint scripts, dependency manifests, the system tools an image has.

May import: `factorscan.core`.
"""
