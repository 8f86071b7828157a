"""`scan` on odd paths (issue 14, item 7): a FIFO or an unreadable file named on the command line is a
usage error (exit 2, one line), an unreadable subfolder is listed as skipped, and SARIF survives file
names that are not UTF-8."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import jsonschema
import pytest

from whynogpu.host.base import FileStat
from whynogpu.host.fake import FakeHost
from whynogpu.host.real import RealHost
from whynogpu.scan import scan

BAD = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whynogpu", "scan", *args], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


def test_a_fifo_named_on_the_command_line_is_an_error(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    r = run(str(fifo))  # it used to wait for a writer forever
    assert r.returncode == 2 and r.stderr == f"whynogpu: {fifo}: not a regular file (a pipe, a device or a socket)\n"


def test_a_fifo_inside_a_folder_is_passed_over(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "bad.py").write_text(BAD)
    r = run(str(tmp_path))
    assert r.returncode == 1 and "bad.py:2:1: WG701" in r.stdout


def test_a_fifo_root_is_a_skipped_note_for_check_scan(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    facts = scan(RealHost(), (str(tmp_path / "pipe.py"),))
    assert [(s.path, s.reason) for s in facts.skipped] == [
        (str(tmp_path / "pipe.py"), "not a regular file (a pipe, a device or a socket)")]


def test_an_unreadable_file_or_folder_named_on_the_command_line_is_an_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import whynogpu.commands.scan  # noqa: F401  (registers the command)
    from whynogpu.cli import main

    (tmp_path / "secret.py").write_text(BAD)
    (tmp_path / "locked").mkdir()
    # Root reads everything, so the refusal is simulated at the host seam the command reads through.
    real_read, real_list = RealHost.read_text, RealHost.listdir
    monkeypatch.setattr(RealHost, "read_text", lambda self, p, limit=1 << 20: None if p.endswith("secret.py")
                        else real_read(self, p, limit))
    monkeypatch.setattr(RealHost, "listdir", lambda self, p: None if p.endswith("locked") else real_list(self, p))
    for name, why in (("secret.py", "cannot be read"), ("locked", "folder cannot be read")):
        res = CliRunner().invoke(main, ["scan", str(tmp_path / name)])
        assert res.exit_code == 2 and res.output.strip() == f"whynogpu: {tmp_path / name}: {why}", res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without permission")
def test_an_unreadable_file_named_on_the_command_line_is_an_error_for_real(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text(BAD)
    path.chmod(0)
    r = run(str(path))
    assert r.returncode == 2 and r.stderr == f"whynogpu: {path}: cannot be read\n"


def test_an_unreadable_subfolder_is_listed_as_skipped():
    dir_stat = FileStat(mode=stat.S_IFDIR | 0o700, uid=0, gid=0)
    host = FakeHost(files={"/p/bad.py": BAD}, stats={"/p/locked": dir_stat})  # listed, but cannot be listed itself
    facts = scan(host, ("/p",))
    assert [h.path for h in facts.hits] == ["/p/bad.py"]
    assert [(s.path, s.reason) for s in facts.skipped] == [("/p/locked", "folder cannot be read")]


def test_sarif_survives_a_file_name_that_is_not_utf8(tmp_path):
    from tests.unit.test_scan_cli import SARIF_SCHEMA

    name = os.path.join(os.fsencode(str(tmp_path)), b"bad\xff.py")
    with open(name, "wb") as fh:
        fh.write(BAD.encode())
    r = subprocess.run([sys.executable, "-m", "whynogpu", "scan", "--format", "sarif", str(tmp_path)],
                       capture_output=True, timeout=30)
    assert r.returncode == 1, r.stderr
    log = json.loads(r.stdout.decode("utf-8"))  # strict UTF-8
    jsonschema.validate(log, SARIF_SCHEMA)
    (result,) = log["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/bad%FF.py")  # the name's own bytes
