"""The development email backend: every email in full in a file, one line about it in the log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from django.core import mail
from django.core.mail import EmailMessage

BODY = "Approve it here:\n" + "\n".join(f"line {n}" for n in range(200))


def test_it_writes_each_email_in_full_and_logs_one_line(tmp_path, caplog):
    with (
        caplog.at_level(logging.INFO, logger="localbzz.mail"),
        mail.get_connection("localbzz.mail.SummaryFileBackend", file_path=str(tmp_path)) as connection,
    ):
        EmailMessage("Please approve your post", BODY, to=["joe@joes.example"], connection=connection).send()
        EmailMessage("Welcome to your portal", "Hi Bella", to=["bella@bella.example"], connection=connection).send()
    [saved] = list(tmp_path.glob("*.log"))  # (the suite keeps uploads under tmp_path too)
    text = saved.read_text()
    assert "Subject: Please approve your post" in text and "line 199" in text and "Hi Bella" in text
    lines = [r.getMessage() for r in caplog.records if r.name == "localbzz.mail"]
    assert lines == [
        f"Email to joe@joes.example: “Please approve your post” (in full: {saved})",
        f"Email to bella@bella.example: “Welcome to your portal” (in full: {saved})",
    ]
    assert "line 1" not in caplog.text  # the body stays out of the log


def test_make_runs_development_settings_use_it(tmp_path):
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "localbzz.settings"}
    env.pop("EMAIL_BACKEND", None)
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["localbzz.mail.SummaryFileBackend", str(tmp_path / "mail")]
