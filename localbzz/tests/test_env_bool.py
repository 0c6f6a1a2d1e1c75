"""env_bool: a yes/no variable from the environment. A value it does not know stops the start with the
variable's name and the accepted words, instead of reading a typo as False."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from localbzz.settings import env_bool

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " On "])
def test_it_reads_the_true_words_in_any_case(monkeypatch, value):
    monkeypatch.setenv("LBZ_TEST_FLAG", value)
    assert env_bool("LBZ_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "Off"])
def test_it_reads_the_false_words_in_any_case(monkeypatch, value):
    monkeypatch.setenv("LBZ_TEST_FLAG", value)
    assert env_bool("LBZ_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_empty_is_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("LBZ_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("LBZ_TEST_FLAG", value)
    assert env_bool("LBZ_TEST_FLAG", True) is True
    assert env_bool("LBZ_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["ture", "y", "2", "enabled", "nope"])
def test_an_unknown_value_names_the_variable_and_the_accepted_words(monkeypatch, value):
    monkeypatch.setenv("LBZ_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_bool("LBZ_TEST_FLAG", False)
    message = str(raised.value)
    assert f"LBZ_TEST_FLAG={value!r}" in message
    assert "1, true, yes, on" in message
    assert "0, false, no, off" in message


def test_the_app_refuses_to_start_with_a_mistyped_flag(tmp_path):
    """From outside: a fresh process loading the settings with DEBUG=ture fails before serving anything."""
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "ture", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "LocalBzz is not configured: DEBUG='ture' is not a yes/no value" in result.stderr
    assert "Traceback" not in result.stderr
