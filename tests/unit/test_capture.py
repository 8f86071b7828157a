"""`whynogpu capture` and `check --replay`: a host recorded through RecordingHost and written as a folder
answers a check as the recorded host did, nothing that names the user or a secret reaches the folder,
and the folder is written without ever passing through a symbolic link."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from whynogpu import serde
from whynogpu.host.base import CommandResult, UserInfo
from whynogpu.host.capture_folder import (
    MAX_TEXT,
    CaptureError,
    CaptureRedactor,
    _Writer,
    check_target,
    load,
    prepare,
    write,
)
from whynogpu.host.fake import FakeHost
from whynogpu.host.recording import RecordingHost, _WatchedEnv
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Options, gather

HOSTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "hosts")
EXE = [sys.executable, "-m", "whynogpu"]


def _capture(host, folder, options: Options):
    rec = RecordingHost(host)
    snapshot = gather(rec, options)
    prepare(str(folder))
    write(str(folder), rec, {"options": {"probe": options.live, "python": options.python}})
    return snapshot


def _comparable(snapshot, red: CaptureRedactor):
    """The facts as the folder can hold them: redacted (identity fields too) and without timings."""
    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in ("duration_s", "wall_s", "import_s")}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return red.text(o) if isinstance(o, str) else o

    return red.base.data(strip(serde.to_data(snapshot)))


# Folders with symbolic links (sysfs, libcuda, a linked lib64), device-node stats, a WSL host, and live probes.
@pytest.mark.parametrize("name, live", [
    ("healthy-rtx3080", False),
    ("nvidia-uvm-missing-after-suspend", False),
    ("kvm-vm-no-gpu-with-dockerenv", False),
    ("tf221-without-and-cuda-cuda13-toolkit-only", False),
    ("device-nodes-not-accessible", False),
    ("wsl2-with-gpu", False),
    ("tf-cpu-package-live", True),
    ("tf-and-cuda-no-driver-live", True),
])
def test_a_recorded_host_read_back_from_its_folder_answers_the_check_alike(tmp_path, name, live):
    original = FakeHost.from_folder(os.path.join(HOSTS, name))
    options = Options(live=live)
    before = _capture(original, tmp_path / "cap", options)
    replayed, manifest = load(str(tmp_path / "cap"))
    after = gather(replayed, options)
    red = CaptureRedactor(original.user(), original.uname().node)
    assert _comparable(after, red) == _comparable(before, red)
    r1, r2 = report_from_snapshot(before), report_from_snapshot(after)
    assert r2.verdict == r1.verdict
    assert [f.code for f in r2.findings] == [f.code for f in r1.findings]
    assert manifest["options"] == {"probe": live, "python": None}
    for rel in manifest["files"]:  # every file the manifest describes is there, and every one written is described
        assert os.path.lexists(tmp_path / "cap" / rel), rel


ALICE = UserInfo(1000, 1000, (1000, 44), "alice", "/home/alice")
SECRETS = ("alice", "hf_abcdefghijklmnopqrstuvwxyz123", "s3cr3t-value-123", "pw-9876543", "p4ssw0rd-xyz",
           "12345678-1234-1234-1234-123456789abc", "laptop-of-a")


def _planted_host() -> FakeHost:
    inspector = json.dumps({"executable": "/home/alice/venv/bin/python", "version": "3.11.7", "prefix": "/home/alice/venv",
                            "distributions": [], "packages": {}})
    return FakeHost(
        files={
            "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
            "/proc/1/cgroup": "0::/user.slice/home/alice/session api_key=s3cr3t-value-123\n",
            "/home/alice/venv/bin/python": "",
        },
        env={"PATH": "/home/alice/.local/bin:/usr/bin", "VIRTUAL_ENV": "/home/alice/venv",
             "HF_TOKEN": "hf_abcdefghijklmnopqrstuvwxyz123", "AWS_SECRET_ACCESS_KEY": "p4ssw0rd-xyz",
             "PYTHONPATH": "https://alice:pw-9876543@proxy.example/x", "LD_LIBRARY_PATH": "/home/alice/lib"},
        user=ALICE,
        commands=[{"argv": ["/sbin/ldconfig", "-p"], "stdout": "\tlibfoo.so (libc6,x86-64) => /home/alice/lib/libfoo.so\n"}],
        snippets={"inspect_target": {"stdout": inspector,
                                     "stderr": "GPU-12345678-1234-1234-1234-123456789abc on laptop-of-a; token=abcd1234efgh\n"}},
        uname=None,
    )


def test_a_planted_user_name_secret_host_name_and_gpu_uuid_never_reach_the_folder(tmp_path):
    host = _planted_host()
    host._uname = host._uname.__class__("Linux", "6.1.0", "#1 SMP", "x86_64", "laptop-of-a")
    folder = tmp_path / "cap"
    _capture(host, folder, Options(live=False))
    seen = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            seen.append(os.path.relpath(full, folder))
            if os.path.islink(full):
                seen.append(os.readlink(full))
            elif os.path.isfile(full):
                with open(full, encoding="utf-8") as fh:
                    seen.append(fh.read())
    everything = "\n".join(seen)
    for secret in SECRETS:
        assert secret not in everything, secret
    assert "abcd1234efgh" not in everything
    # what was asked stays usable: the redacted home is still an absolute path the replay finds
    spec = json.loads((folder / "host.json").read_text())
    assert "/home/<user>/venv/bin/python" in spec["stats"] and "inspect_target@/home/<user>/venv/bin/python" in spec["snippets"]
    assert spec["env"]["VIRTUAL_ENV"] == "/home/<user>/venv"
    assert "HF_TOKEN" not in spec["env"] and "AWS_SECRET_ACCESS_KEY" not in spec["env"]  # never asked for
    assert spec["user"] == {"uid": 1000, "gid": 1000, "groups": [1000, 44], "name": "<user>", "home": "/home/<user>"}


def test_a_variable_named_like_a_secret_loses_its_value_and_an_odd_home_becomes_home_user():
    red = CaptureRedactor(UserInfo(1000, 1000, (), "bob", "/data/users/bob"), "node1")
    assert red.env("MY_API_TOKEN", "abcdef123456") == "<redacted>"
    assert red.env("CUDA_HOME", "/data/users/bob/cuda") == "/home/<user>/cuda"
    assert red.text("/home/bob/x and bob@node1") == "/home/<user>/x and <user>@<host>"


def test_copying_the_environment_whole_notes_no_variable_but_a_lookup_does():
    asked: set[str] = set()
    env = _WatchedEnv({"A": "1", "SECRET_TOKEN": "x"}, asked)
    copy = dict(env)
    copy.update({"B": "2"})
    assert {**env} == {"A": "1", "SECRET_TOKEN": "x"} and asked == set()
    env.get("A"), "C" in env
    assert asked == {"A", "C"}


def test_a_huge_file_is_cut_and_the_manifest_says_so(tmp_path):
    host = FakeHost(files={"/proc/modules": "x" * (MAX_TEXT + 5000)})
    rec = RecordingHost(host)
    assert len(rec.read_text("/proc/modules", limit=1 << 22)) == MAX_TEXT + 5000
    prepare(str(tmp_path / "cap"))
    manifest = write(str(tmp_path / "cap"), rec, {})
    assert (tmp_path / "cap" / "root" / "proc" / "modules").stat().st_size == MAX_TEXT
    assert any("root/proc/modules" in n for n in manifest["notes"])


def test_a_long_output_keeps_its_end_where_the_answer_is(tmp_path):
    rec = RecordingHost(FakeHost())
    rec.commands[("/bin/chatty",)] = CommandResult(("/bin/chatty",), 0, "y" * (2 * MAX_TEXT) + '\n{"answer": 1}\n', "")
    prepare(str(tmp_path / "cap"))
    write(str(tmp_path / "cap"), rec, {})
    out = (tmp_path / "cap" / "outputs" / "001-chatty.stdout.txt").read_text()
    assert out.endswith('{"answer": 1}\n') and "whynogpu capture dropped" in out


def test_the_writer_never_writes_through_a_link_in_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    cap = tmp_path / "cap"
    cap.mkdir()
    os.symlink(outside, cap / "root")
    with pytest.raises(CaptureError):
        _Writer(str(cap)).file("root/etc/os-release", "x", "")
    assert list(outside.iterdir()) == []
    prepare(str(cap))  # what --force does: the link is removed, its target left alone
    assert not os.path.lexists(cap / "root") and outside.is_dir()


def test_a_non_empty_folder_is_refused_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CaptureError, match="not empty"):
        check_target(str(tmp_path), force=False)
    check_target(str(tmp_path), force=True)
    with pytest.raises(CaptureError, match="not a folder"):
        check_target(str(tmp_path / "notes.txt"), force=True)


def run(args):
    return subprocess.run(EXE + args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_capture_into_a_non_empty_folder_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    res = run(["capture", str(tmp_path), "--no-probe"])
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "--force" in res.stderr
    assert os.listdir(tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("make, message", [
    (lambda d: None, "no such folder"),
    (lambda d: d.write_text("x"), "not a folder"),
    (lambda d: d.mkdir(), "no host.json"),
    (lambda d: (d.mkdir(), (d / "host.json").write_text("{oops")), "malformed"),
    (lambda d: (d.mkdir(), (d / "host.json").write_text(json.dumps(
        {"commands": [{"argv": ["/bin/x"], "stdout_file": "../../etc/passwd"}]}))), "not a file inside the folder"),
    (lambda d: (d.mkdir(), (d / "host.json").write_text(json.dumps({"uname": {"bad": 1}}))), "not in the capture format"),
])
def test_replay_of_a_bad_folder_is_one_line_and_exit_2(tmp_path, make, message):
    folder = tmp_path / "cap"
    make(folder)
    res = run(["check", "--replay", str(folder)])
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and res.stderr.count("\n") == 1


def test_replay_of_a_fixture_folder_gives_its_findings(tmp_path):
    res = run(["check", "--replay", os.path.join(HOSTS, "kvm-vm-no-gpu-with-dockerenv"), "--json"])
    assert res.returncode in (0, 1), res.stderr
    assert json.loads(res.stdout)["verdict"]["root_cause"] == "no_nvidia_gpu"
    bad = run(["check", "--replay", os.path.join(HOSTS, "kvm-vm-no-gpu-with-dockerenv"), "--python", "/usr/bin/python3"])
    assert bad.returncode == 2 and "--replay" in bad.stderr


CAPTURED = sorted(n for n in os.listdir(HOSTS) if os.path.isfile(os.path.join(HOSTS, n, "manifest.json")))


@pytest.mark.parametrize("name", CAPTURED)
def test_a_capture_copied_under_fixtures_replays_to_the_verdict_it_was_captured_with(name):
    """The path from a bug report to a regression test: copy the folder under tests/fixtures/hosts/."""
    from whynogpu.commands.capture import replay_report

    folder = os.path.join(HOSTS, name)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    report, _ = replay_report(folder, no_probe=False)
    assert serde.to_data(report.verdict) == manifest["verdict"]
    assert [f.code for f in report.findings] == manifest["findings"]
