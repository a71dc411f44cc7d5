"""Speed harness: what deployment manifests add to a scan (issue 17: at most 10%).

Builds two copies of one app, identical but for 200 Kubernetes manifests in
the second (40 services, each a Deployment, Service, ConfigMap, placeholder
Secret and autoscaler; a quarter of them through a kustomize base and
overlay), and scans both cold, alternating run by run. Prints the medians
and their ratio. Not collected by pytest.

    python tests/benchmarks/manifests.py --runs 7                 # the article app (a small one)
    python tests/benchmarks/manifests.py --runs 5 --app DIR       # another app, e.g. Django's package
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench import Case, fetch_django

HERE = Path(__file__).resolve().parent
ARTICLE = HERE.parents[1] / "fixtures" / "k8s_article"
SERVICES = 40

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{n}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc-{n}}}
  template:
    metadata:
      labels: {{app: svc-{n}}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: web
          image: registry.example.com/web:1.{n}.0
          ports: [{{containerPort: 8080}}]
          envFrom:
            - configMapRef: {{name: svc-{n}-config}}
            - secretRef: {{name: svc-{n}-secrets}}
          readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: svc-{n}}}
spec:
  selector: {{app: svc-{n}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""
CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {{name: svc-{n}-config}}
data:
  LOG_LEVEL: info
  FEATURE_NEW_CHECKOUT: "true"
"""
SECRET = """\
apiVersion: v1
kind: Secret
metadata: {{name: svc-{n}-secrets}}
stringData:
  DATABASE_URL: postgres://app:CHANGEME@db:5432/app
  API_KEY: sk_live_xxx
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: svc-{n}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: svc-{n}}}
  minReplicas: 2
  maxReplicas: 10
"""


def write_manifests(root: Path) -> int:
    """200 manifest files under root/deploy; returns how many were written."""
    written = 0
    for n in range(SERVICES):
        kustomized = n % 4 == 0
        folder = root / "deploy" / ("base" if kustomized else "plain") / f"svc-{n}"
        folder.mkdir(parents=True)
        names = []
        for name, template in (
            ("deployment", DEPLOYMENT),
            ("service", SERVICE),
            ("config", CONFIG),
            ("secret", SECRET),
            ("hpa", HPA),
        ):
            (folder / f"{name}.yaml").write_text(template.format(n=n))
            names.append(f"{name}.yaml")
            written += 1
        if kustomized:
            (folder / "kustomization.yaml").write_text("resources: [" + ", ".join(names) + "]\n")
            overlay = root / "deploy" / "overlays" / f"svc-{n}"
            overlay.mkdir(parents=True)
            (overlay / "kustomization.yaml").write_text(
                f"resources: [../../base/svc-{n}]\nimages:\n  - name: registry.example.com/web\n    newTag: '2.{n}'\n"
            )
    return written


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per case (default 7)")
    parser.add_argument("--app", type=Path, help="the app to deploy (default: the article app)")
    parser.add_argument("--django", action="store_true", help="use Django's package as the app")
    args = parser.parse_args()
    app = fetch_django() if args.django else (args.app or ARTICLE)
    scratch = Path(tempfile.mkdtemp(prefix="factorscan-bench-manifests-"))
    without, with_manifests = scratch / "without" / "app", scratch / "with" / "app"
    for target in (without, with_manifests):
        shutil.copytree(app, target, ignore=shutil.ignore_patterns("k8s", "__pycache__"))
        (target / ".git").mkdir(exist_ok=True)
        if not (target / "Dockerfile").exists():
            (target / "Dockerfile").write_text(
                'FROM python:3.12-slim\nCMD ["gunicorn", "-b", ":8080", "app:app"]\n'
            )
    count = write_manifests(with_manifests)
    command = [
        sys.executable,
        "-m",
        "factorscan",
        "--exit-zero",
        "--quiet",
        "--no-cache",
        "--format",
        "concise",
    ]
    cases = [Case("without manifests", [*command, "."]), Case(f"with {count} manifests", [*command, "."])]
    env = {**os.environ, "NO_COLOR": "1"}
    print(
        f"app: {app}; {count} manifest files; {os.cpu_count()} CPUs; {args.runs} runs per case, alternating"
    )
    for round_number in range(args.runs):
        for case, cwd in zip(cases, (without, with_manifests), strict=True):
            case.run(cwd, env)
        print(f"  round {round_number + 1}: " + ", ".join(f"{c.name} {c.times[-1]:.2f}s" for c in cases))
    base, loaded = cases
    per_round = statistics.median(b / a for a, b in zip(base.times, loaded.times, strict=True))
    print(f"\n{'case':<24} {'median':>9} {'min':>8} {'max':>8}")
    for case in cases:
        print(f"{case.name:<24} {case.median:>8.3f}s {min(case.times):>7.3f}s {max(case.times):>7.3f}s")
    print(
        f"\nwith / without: {loaded.median / base.median:.3f}x of medians, {per_round:.3f}x per-round median"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
