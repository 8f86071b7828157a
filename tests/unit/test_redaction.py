"""Shareable outputs keep no secrets: tokens and passwords in captured or pasted text, any user's home folder,
the report's own users and hosts. A property test plants secrets and looks for them in every shared format."""

from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whynogpu.redact import Redactor, for_text
from whynogpu.render.json_report import render as as_json
from whynogpu.render.markdown import render as as_markdown
from whynogpu.triage.engine import triage

ALNUM = string.ascii_letters + string.digits
SECRET = st.one_of(
    st.text(ALNUM, min_size=30, max_size=40).map(lambda s: "hf_" + s),
    st.text(ALNUM, min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(lambda s: "AKIA" + s),
    st.text(ALNUM, min_size=24, max_size=40).map(lambda s: "sk-" + s),
)
PASSWORD = st.text(ALNUM, min_size=8, max_size=20).map(lambda s: "Pw9x" + s)  # never a word of the output
CONTEXT = st.sampled_from([
    "export HF_TOKEN={s}",
    "2024-01-01 10:00:00.000000: W tensorflow/core/x.cc:1] Could not load dynamic library 'libcudnn.so.8'; {s}",
    "Authorization: Bearer {s}",
    "os.environ['WANDB_API_KEY'] = '{s}'",
    "the token is {s} (please ignore)",
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=SECRET, password=PASSWORD, context=CONTEXT)
def test_planted_secrets_never_reach_shared_formats(secret, password, context):
    text = (context.format(s=secret) + "\n" + f"pip install --proxy http://alice:{password}@proxy.example:3128 torch\n"
            "Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared "
            "object file: No such file or directory\n")
    report = triage(text)
    redactor = for_text(text)
    for out in (as_json(report, redactor), as_markdown(report, redactor)):
        assert secret not in out
        assert password not in out


def test_every_users_home_folder_is_redacted_not_only_the_invoking_one():
    r = Redactor("/home/me", "me", "box")
    data = r.data({"paths": ["/home/otheruser/venv/bin/python", "/Users/Someone/x", "/home/me/y"],
                   "hostname": "box", "note": "box ran out of memory", "gpu": {"user": "gpuadmin", "uid": 1000}})
    text = json.dumps(data)
    assert "otheruser" not in text and "Someone" not in text and "/home/me" not in text and "gpuadmin" not in text
    assert "~/y" in text and "<host> ran out" in text


def test_snapshot_command_is_redacted_unless_asked(tmp_path, monkeypatch):
    import subprocess
    import sys

    env = dict(__import__("os").environ, PYTHONPATH="/home/someoneelse/extra-libs")
    args = [sys.executable, "-m", "whynogpu", "snapshot", "--no-probe"]
    shared = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    kept = subprocess.run(args + ["--no-redact"], capture_output=True, text=True, timeout=120, env=env)
    assert shared.returncode == 0, shared.stderr
    assert "someoneelse" in kept.stdout
    assert "someoneelse" not in shared.stdout
    json.loads(shared.stdout)  # still a snapshot check --from can read
