"""FS0802's edges that no longer fit in its rule module (900 lines): each a project scanned
through factorscan.api, as its rule examples are."""

from __future__ import annotations

from pathlib import Path

import pytest

from factorscan import api
from factorscan.checks.base import Invalid, Severity
from tests.conftest import write_project

EDGES = (
    Invalid(
        """
        import asyncio
        import threading

        import eventlet
        import gevent

        def poll_prices():
            while True:
                gevent.sleep(60)

        def poll_stock():
            while True:
                eventlet.sleep(60)

        def poll_rates():
            while True:
                asyncio.run(asyncio.sleep(60))

        threading.Thread(None, poll_prices).start()
        threading.Thread(target=poll_stock).start()
        threading.Thread(target=poll_rates).start()
        """,
        filename="shop/wsgi.py",
        count=3,
        severity=Severity.WARNING,
        note="loops that sleep with gevent, eventlet and asyncio (the target passed by position too)",
    ),
    Invalid(
        """
        import threading
        import time

        from django.apps import AppConfig

        from shop.cache import warm_cache
        from shop.mail import send_queued_mail

        class ShopConfig(AppConfig):
            name = "shop"

            def ready(self):
                self.rates = threading.Thread(target=self.refresh_rates)
                self.rates.start()
                self.warmer = threading.Thread(target=warm_cache)
                self.warmer.daemon = True
                self.warmer.start()
                self.mailer = threading.Thread(target=send_queued_mail)
                self.mailer.setDaemon(True)
                self.mailer.start()

            def refresh_rates(self):
                while True:
                    time.sleep(600)
        """,
        filename="shop/apps.py",
        count=3,
        line=14,
        note="a method that loops (a warning), and daemon threads made so by attribute and by setDaemon",
    ),
    Invalid(
        """
        from apscheduler.schedulers.background import BackgroundScheduler

        from shop.app import application

        BackgroundScheduler().start()
        """,
        filename="shop/wsgi.py",
        files={
            "shop/asgi.py": "from apscheduler.schedulers.asyncio import AsyncIOScheduler\n"
            "AsyncIOScheduler().start()\n",
            "shop/urls.py": "from apscheduler.schedulers.background import BackgroundScheduler\n"
            "BackgroundScheduler().start()\nurlpatterns = []\n",
            "shop/settings.py": "from apscheduler.schedulers.background import BackgroundScheduler\n"
            "DEBUG = False\nBackgroundScheduler().start()\n",
        },
        count=4,
        severity=Severity.WARNING,
        note="modules every web process imports, by name",
    ),
)


@pytest.mark.parametrize("example", EDGES, ids=lambda example: example.note[:40])
def test_scheduler_edge(tmp_path: Path, example: Invalid) -> None:
    (tmp_path / ".git").mkdir()
    write_project(tmp_path, example.project_files())
    findings = [f for f in api.check([tmp_path], select=["FS0802"]).findings if f.code == "FS0802"]
    assert len(findings) == example.count, [f"{f.location.row}: {f.message}" for f in findings]
    if example.line is not None:
        assert findings[0].location.row == example.line
    if example.severity is not None:
        assert {finding.severity for finding in findings} == {example.severity}
