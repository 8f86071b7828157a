"""`whynogpu fleet --slurm` through a fake `srun` on PATH (Slurm is not installed here): it runs the real
command line fleet gives it once per node of FAKE_SRUN_NODES, locally, with SLURMD_NODENAME set and each
line labelled as `srun --label` does. One node's snapshot hangs (ended by the node script's time limit),
one node has a broken whynogpu, one node of the allocation never starts: each is reported as such."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from whynogpu.fleet.slurm import expand_hostlist

FAKE_SRUN = textwrap.dedent("""\
    #!{python}
    import json, os, signal, subprocess, sys, threading
    args = sys.argv[1:]
    with open(os.environ["FAKE_SRUN_LOG"], "w") as fh:
        json.dump(args, fh)
    i = args.index("sh")  # fleet's node script starts here; what comes before are srun options
    cmd = args[i:]
    procs = []
    lock = threading.Lock()

    def pump(task, stream, out):
        for line in stream:
            with lock:
                out.write(f"{{task}}: {{line}}")
                out.flush()

    for task, node in enumerate(os.environ["FAKE_SRUN_NODES"].split()):
        env = dict(os.environ, SLURMD_NODENAME=node, SLURM_PROCID=str(task))
        if node in os.environ.get("FAKE_SRUN_HANG", "").split():
            env["PYTHONPATH"] = os.environ["FAKE_SRUN_HANG_DIR"]  # its `whynogpu snapshot` sleeps
        if node in os.environ.get("FAKE_SRUN_BROKEN", "").split():
            env["PYTHONPATH"] = os.environ["FAKE_SRUN_BROKEN_DIR"]  # a whynogpu that cannot be imported
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             start_new_session=True)
        procs.append(p)
        for stream, out in ((p.stdout, sys.stdout), (p.stderr, sys.stderr)):
            threading.Thread(target=pump, args=(task, stream, out)).start()

    def stop(signum, frame):  # srun cancels the step: its tasks end (each task's process group, as proctrack/pgid)
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        sys.exit(130)

    signal.signal(signal.SIGINT, stop)
    for p in procs:
        p.wait()
    missing = os.environ.get("FAKE_SRUN_MISSING")
    if missing:
        sys.stderr.write(f"srun: error: {{missing}}: task 9: Communication connection failure\\n")
        sys.exit(1)
""")


@pytest.fixture
def srun_env(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    srun = bin_dir / "srun"
    srun.write_text(FAKE_SRUN.format(python=sys.executable))
    srun.chmod(0o755)
    hang = tmp_path / "hang"
    hang.mkdir()
    (hang / "sitecustomize.py").write_text(
        "import sys, time\nif 'snapshot' in ' '.join(getattr(sys, 'orig_argv', ())):\n    time.sleep(600)\n")
    broken = tmp_path / "broken" / "whynogpu"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('whynogpu is half installed on this node')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM", "PYTHONPATH"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", FAKE_SRUN_LOG=str(tmp_path / "srun-args.json"),
               FAKE_SRUN_HANG_DIR=str(hang), FAKE_SRUN_BROKEN_DIR=str(tmp_path / "broken"))
    return env


def _fleet(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "whynogpu", "fleet", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_inside_an_allocation_every_node_is_asked_and_the_silent_ones_are_named(srun_env, tmp_path):
    env = dict(srun_env, SLURM_JOB_ID="4242", SLURM_JOB_NUM_NODES="5", SLURM_JOB_NODELIST="gpu[01-04],gpu07",
               FAKE_SRUN_NODES="gpu01 gpu02 gpu03 gpu04", FAKE_SRUN_HANG="gpu03", FAKE_SRUN_BROKEN="gpu04",
               FAKE_SRUN_MISSING="gpu07")
    start = time.monotonic()
    done = _fleet(env, "--slurm", "--no-probe", "--timeout", "6", "--json", "--save", str(tmp_path / "saved"))
    assert time.monotonic() - start < 40, done.stderr
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    nodes = {n["name"]: n for n in data["nodes"]}
    assert sorted(nodes) == ["gpu01", "gpu02", "gpu03", "gpu04", "gpu07"]
    assert nodes["gpu01"]["status"] == nodes["gpu02"]["status"] == "answered"
    assert nodes["gpu01"]["report"]["verdict"]["root_cause"] == nodes["gpu02"]["report"]["verdict"]["root_cause"]
    assert nodes["gpu03"]["status"] == "no_answer" and "did not finish within 6 s" in nodes["gpu03"]["reason"]
    assert nodes["gpu04"]["status"] == "failed" and "half installed" in nodes["gpu04"]["reason"]
    assert nodes["gpu07"]["status"] == "no_answer" and "Communication connection failure" in nodes["gpu07"]["reason"]
    assert data["source"] == "Slurm allocation 4242"
    assert done.stderr.count("nodes done") == 4  # progress as each node's task ended
    with open(tmp_path / "srun-args.json") as fh:
        argv = json.load(fh)
    assert argv[:6] == ["--nodes=5", "--ntasks=5", "--ntasks-per-node=1", "--overlap", "--label", "--kill-on-bad-exit=0"]
    assert argv[-3:] == ["whynogpu", "snapshot", "--no-probe"]
    # --save kept the answered nodes' snapshots: `fleet --from` gives the same verdicts
    assert sorted(os.listdir(tmp_path / "saved")) == ["gpu01.json", "gpu02.json"]
    again = json.loads(_fleet(srun_env, "--from", str(tmp_path / "saved"), "--json").stdout)
    assert [n["report"]["verdict"] for n in again["nodes"]] == [nodes["gpu01"]["report"]["verdict"]] * 2


def test_slurm_args_request_the_nodes_and_text_names_them(srun_env):
    env = dict(srun_env, FAKE_SRUN_NODES="a100-1 a100-2")
    done = _fleet(env, "--slurm-args", "-N 2 -p gpu --gres=gpu:1", "--no-probe", "--timeout", "30")
    assert done.returncode in (0, 1), done.stderr
    assert "2 nodes " in done.stdout and "a100-1, a100-2" in done.stdout
    assert "(Slurm, srun -N 2 -p gpu --gres=gpu:1)" in done.stdout
    with open(srun_env["FAKE_SRUN_LOG"]) as fh:
        argv = json.load(fh)
    assert argv[:5] == ["-N", "2", "-p", "gpu", "--gres=gpu:1"] and "--nodes=2" not in argv


def test_ctrl_c_stops_srun_and_its_tasks(srun_env):
    env = dict(srun_env, SLURM_JOB_ID="7", SLURM_JOB_NUM_NODES="2", SLURM_JOB_NODELIST="n[1-2]",
               FAKE_SRUN_NODES="n1 n2", FAKE_SRUN_HANG="n2")
    proc = subprocess.Popen([sys.executable, "-m", "whynogpu", "fleet", "--slurm", "--no-probe", "--timeout", "300"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    assert "1/2 nodes done (n1: answered)" in line
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    time.sleep(0.5)
    from helpers import processes_with

    assert not processes_with("PYTHONPATH=" + env["FAKE_SRUN_HANG_DIR"])  # the hung node's snapshot is gone


def test_hostlists_expand_as_scontrol_does():
    assert expand_hostlist("gpu[01-03,07],login1") == ["gpu01", "gpu02", "gpu03", "gpu07", "login1"]
    assert expand_hostlist("n[8-11]-ib") == ["n8-ib", "n9-ib", "n10-ib", "n11-ib"]
    assert expand_hostlist("") == []
