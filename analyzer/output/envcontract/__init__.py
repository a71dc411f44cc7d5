"""The app's configuration contract: every environment variable its code reads.

`lookups` recognises environment reads in libcst trees (shared with the
config rules); `collect` gathers them over a project; `render` prints them
for `factorscan env` as a table, JSON, a `.env.example` or Kubernetes
ConfigMap and Secret manifests.
"""
