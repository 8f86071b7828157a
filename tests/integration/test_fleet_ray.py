"""`whynogpu fleet --ray` against a real Ray cluster started on this machine: a head and worker nodes (each
its own raylet, as on separate machines) that differ the way a fleet drifts: one started with
CUDA_VISIBLE_DEVICES=-1 in its environment, one whose Python (Ray's on that node) has tensorflow-cpu, and
one whose `whynogpu snapshot` hangs (a sitecustomize that sleeps, as a hung GPU would make it). The hung node
is reported as not answering within --timeout, Ctrl-C (SIGINT) cancels the remote task and ends its
child, and a node killed mid-run is reported as not answering, within the timeout.

Ray goes into cached venvs under ~/.cache/whynogpu-it/ (one with Ray only, one with Ray and tensorflow-cpu);
whynogpu itself is not installed on the nodes: fleet ships it with the task."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from helpers import processes_with

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "whynogpu-it")
RAY = "ray==2.60.0"
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")
SMALL = ["--num-cpus=1", "--object-store-memory=80000000", "--disable-usage-stats", "--node-ip-address=127.0.0.1"]

pytestmark = pytest.mark.integration


def venv(name: str, *packages: str) -> str:
    """The bin folder of a cached venv with `packages` (built once, reused)."""
    root = os.path.join(CACHE, name)
    marker = os.path.join(root, ".whynogpu-complete")
    if not os.path.exists(marker):
        subprocess.run([sys.executable, "-m", "venv", "--clear", root], check=True)
        subprocess.run([os.path.join(root, "bin", "python"), "-m", "pip", "install", "-q", *packages], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(marker, "w").close()
    return os.path.join(root, "bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, tmp: str) -> None:
        self.mark = f"WHYNOGPU_FLEET_TEST={uuid.uuid4().hex}"  # every process of this cluster carries it
        self.ray_bin = venv("fleet-ray", RAY)
        self.tf_bin = venv("fleet-ray-tfcpu", RAY, "tensorflow-cpu==2.21.0")
        self.address = f"127.0.0.1:{free_port()}"
        self.tmp = tmp
        base = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "PYTHON", "CUDA_", "VIRTUAL_ENV"))}
        # Quick node-death detection, so a killed node is noticed in seconds rather than half a minute.
        self.base = {**base, "RAY_USAGE_STATS_ENABLED": "0", "RAY_health_check_period_ms": "1000",
                     "RAY_health_check_failure_threshold": "3", self.mark.split("=")[0]: self.mark.split("=")[1]}

    def start(self, bin_dir: str, *args: str, **env: str) -> None:
        subprocess.run([os.path.join(bin_dir, "ray"), "start", *args, *SMALL], env={**self.base, **env}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def add(self, bin_dir: str, **env: str) -> None:
        self.start(bin_dir, f"--address={self.address}", **env)

    def kill(self, mark: str) -> None:
        for pid in processes_with(mark):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def fleet(self, *args: str) -> subprocess.Popen:
        env = {**self.base, "PYTHONPATH": SRC}
        return subprocess.Popen([os.path.join(self.ray_bin, "python"), "-m", "whynogpu", "fleet", "--ray", self.address,
                                 *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("ray")))
    hang = tmp_path_factory.mktemp("hang")
    (hang / "sitecustomize.py").write_text(
        "import sys, time\nif 'snapshot' in ' '.join(getattr(sys, 'orig_argv', ())):\n    time.sleep(600)\n")
    c.hang_dir = str(hang)
    try:
        c.start(c.ray_bin, "--head", f"--port={c.address.split(':')[1]}", "--include-dashboard=false",
                f"--temp-dir={c.tmp}")
        c.add(c.ray_bin, CUDA_VISIBLE_DEVICES="-1")
        c.add(c.tf_bin)
        yield c
    finally:
        c.kill(c.mark)


def _progress_until(proc, done: int) -> list[str]:
    """stderr lines up to the one saying `done` nodes are done."""
    lines = []
    while True:
        line = proc.stderr.readline()
        if not line:
            return lines
        lines.append(line)
        if f"{done}/" in line and "nodes done" in line:
            return lines


def test_each_node_gets_its_verdict_and_the_odd_ones_are_named(cluster):
    proc = cluster.fleet("--json", "--timeout", "90")
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, err  # no GPU on this machine: every node has an error
    data = json.loads(out)
    assert len(data["nodes"]) == 3 and all(n["status"] == "answered" for n in data["nodes"]), err
    assert err.count("nodes done") == 3  # progress while nodes answered
    by = {}
    for n in data["nodes"]:
        r = n["report"]
        assert r["verdict"]["root_cause"] == "no_nvidia_gpu" and n["address"] and n["node_id"]
        env = r["facts"]["environment"]["variables"]
        assert not any("_ray_pkg_" in v for v in env.values())  # Ray's copy of whynogpu is not the node's setting
        kind = "tf" if "fleet-ray-tfcpu" in r["target"]["python"] else "hidden" if "CUDA_VISIBLE_DEVICES" in env else "plain"
        by[kind] = n
    assert set(by) == {"tf", "hidden", "plain"}
    assert "WG501" in {f["code"] for f in by["tf"]["report"]["findings"]}  # tensorflow-cpu, confirmed live on that node
    assert by["hidden"]["report"]["facts"]["environment"]["variables"]["CUDA_VISIBLE_DEVICES"] == "-1"
    outliers = {(o["node"], o["trait"]): o for o in data["outliers"]}
    assert outliers[(by["tf"]["name"], "frameworks")]["value"].startswith("tensorflow-cpu 2.21.0")
    assert outliers[(by["hidden"]["name"], "visible devices")]["value"] == "CUDA_VISIBLE_DEVICES=-1"
    assert outliers[(by["hidden"]["name"], "visible devices")]["majority"] == "not set"
    assert data["groups"] == [{"key": "no_nvidia_gpu", "status": "answered", "summary": "This machine has no NVIDIA GPU",
                               "count": 3, "nodes": [n["name"] for n in data["nodes"]]}]


def test_a_hung_node_is_reported_as_not_answering_within_the_timeout(cluster):
    cluster.add(cluster.ray_bin, PYTHONPATH=cluster.hang_dir, WHYNOGPU_FLEET_NODE="hung")
    start = time.monotonic()
    proc = cluster.fleet("--timeout", "25")
    out, err = proc.communicate(timeout=120)
    took = time.monotonic() - start
    assert proc.returncode == 1 and took < 60, (took, err)
    assert "3 nodes  no_nvidia_gpu" in out and "1 node   no answer:" in out
    assert "no answer within 25 s (Ray node " in out or "did not finish within 22.5 s on the node (ended) (Ray node " in out
    assert out.rstrip().endswith("whynogpu: 3 nodes no_nvidia_gpu; 1 node no answer")


def test_ctrl_c_cancels_the_remote_task_and_ends_its_child(cluster):
    proc = cluster.fleet("--timeout", "300")
    _progress_until(proc, 3)  # the three others answered; the hung node's snapshot is still running
    time.sleep(1)
    hung = [p for p in processes_with("WHYNOGPU_FLEET_NODE=hung") if _is_snapshot(p)]
    assert hung, "the hung node's snapshot child should be running"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") and _is_snapshot(p) for p in hung):
        time.sleep(0.5)
    assert not [p for p in hung if os.path.exists(f"/proc/{p}") and _is_snapshot(p)]


def _is_snapshot(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"'snapshot'" in fh.read()
    except OSError:
        return False


def test_a_node_killed_mid_run_is_reported_within_the_timeout(cluster):
    start = time.monotonic()
    proc = cluster.fleet("--json", "--timeout", "90")
    _progress_until(proc, 3)
    cluster.kill("WHYNOGPU_FLEET_NODE=hung")  # its raylet, its workers and the snapshot child: the machine is gone
    out, err = proc.communicate(timeout=150)
    took = time.monotonic() - start
    assert out.startswith("{"), (out[:600], err[-600:])
    data = json.loads(out)
    silent = [n for n in data["nodes"] if n["status"] != "answered"]
    assert len(silent) == 1 and silent[0]["status"] == "no_answer" and silent[0]["report"] is None
    assert silent[0]["node_id"] and silent[0]["address"]  # Ray's node id and the node's IP, to go and look
    print(silent[0]["reason"])
    assert took < 90, (took, silent[0]["reason"])  # Ray said the node died; fleet did not wait out the timeout
    assert data["summary"] == "3 nodes no_nvidia_gpu; 1 node no answer"
