"""`whynogpu fleet`: grouping by verdict and the odd ones out, on snapshots the real pipeline makes from the
fixture hosts (one healthy RTX 3080 machine, varied the way a fleet drifts: another driver, a
CUDA_VISIBLE_DEVICES set, a CPU-only TensorFlow, a node without a GPU), and `fleet --from DIR` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from whynogpu.fleet import render
from whynogpu.fleet.model import ANSWERED, NO_ANSWER, Node
from whynogpu.fleet.summary import summarize
from whynogpu.host.fake import FakeHost
from whynogpu.probes import Options, gather
from whynogpu.snapshot_io import to_data

HOSTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "hosts")
PY = "/home/user/venv/bin/python"
EXE = [sys.executable, "-m", "whynogpu"]


def _target(dist: str, version: str) -> str:
    site = "/home/user/venv/lib/python3.11/site-packages"
    return json.dumps({"executable": PY, "version": "3.11.7", "implementation": "CPython", "prefix": "/home/user/venv",
                       "base_prefix": "/usr", "env_kind": "venv", "platform": "linux", "machine": "x86_64",
                       "distributions": [{"name": dist, "version": version, "location": site}],
                       "packages": {"tensorflow": {"origin": "/x/tensorflow/__init__.py", "locations": ["/x/tensorflow"]}},
                       "owners": {}, "files": {}})


def node_snapshot(driver: str = "550.54.14", env: dict | None = None, tf: str = "tensorflow", name: str = "node"):
    """The healthy RTX 3080 host with TensorFlow computing on its GPU (live answer of gpu-rtx3090-all-work),
    with every trace of its driver version replaced by `driver` (so that the node alone is consistent)."""
    with open(os.path.join(HOSTS, "gpu-rtx3090-all-work", "host.json"), encoding="utf-8") as fh:
        live = json.load(fh)["snippets"]
    host = FakeHost.from_folder(os.path.join(HOSTS, "healthy-rtx3080"), python=PY,
                                env={"PATH": "/usr/bin:/bin", **(env or {})},
                                uname=None)
    host.snippets.update(live, inspect_target={"stdout": _target(tf, "2.21.0")})
    old = "550.54.14"
    if driver != old:
        host.files = {k.replace(old, driver): v.replace(old, driver) for k, v in host.files.items()}
        host.symlinks = {k.replace(old, driver): v.replace(old, driver) for k, v in host.symlinks.items()}
        host.stats = {k.replace(old, driver): v for k, v in host.stats.items()}
        for s in host.snippets.values():
            for k, v in list(s.items()):
                if isinstance(v, str):
                    s[k] = v.replace(old, driver)
    return gather(host, Options(python=PY, live=True))


def nodes(*snapshots) -> list[Node]:
    return [Node(name=f"gpu{i + 1:02d}", snapshot=s) for i, s in enumerate(snapshots)]


@pytest.fixture(scope="module")
def healthy():
    return node_snapshot()


def test_five_alike_and_one_with_another_driver_names_that_one_though_it_looks_fine_alone(healthy):
    fleet = summarize("test", nodes(healthy, healthy, node_snapshot(driver="535.104.05"), healthy, healthy, healthy))
    assert [n.report.verdict.root_cause for n in fleet.nodes] == ["no_problem"] * 6  # each node alone is fine
    assert [(g.key, len(g.nodes)) for g in fleet.groups] == [("no_problem", 6)]
    assert [(o.node, o.trait, o.value, o.majority, o.majority_count) for o in fleet.outliers] == [
        ("gpu03", "driver", "535.104.05", "550.54.14", 5)]
    assert fleet.exit_code == 1  # an outlier is worth a look, as a broken node is


def test_a_visible_devices_setting_is_an_outlier_and_its_own_verdict_group(healthy):
    hidden = node_snapshot(env={"CUDA_VISIBLE_DEVICES": "-1"})
    fleet = summarize("test", nodes(healthy, healthy, healthy, healthy, hidden))
    outliers = {(o.node, o.trait): o for o in fleet.outliers}
    assert outliers[("gpu05", "visible devices")].value == "CUDA_VISIBLE_DEVICES=-1"
    assert outliers[("gpu05", "visible devices")].majority == "not set"
    assert fleet.groups[0].key == "no_problem" and fleet.groups[0].nodes == ("gpu01", "gpu02", "gpu03", "gpu04")
    assert fleet.groups[1].nodes == ("gpu05",) and fleet.groups[1].key != "no_problem"


def test_no_majority_is_mixed_not_an_outlier_and_unknown_is_no_difference(healthy):
    cpu = node_snapshot(tf="tensorflow-cpu")
    fleet = summarize("test", nodes(healthy, cpu))
    assert not [o for o in fleet.outliers if o.trait == "frameworks"]
    mixed = {m.trait: m for m in fleet.mixed}
    assert {v for v, _ in mixed["frameworks"].values} == {"tensorflow 2.21.0", "tensorflow-cpu 2.21.0"}
    # a node that did not answer has no traits: it is reported as not answering, not as different
    silent = Node(name="gpu09", status=NO_ANSWER, reason="no answer within 5 s")
    fleet = summarize("test", [*nodes(healthy, healthy, healthy), silent])
    assert not fleet.outliers and fleet.groups[-1].key == NO_ANSWER and fleet.groups[-1].nodes == ("gpu09",)


def test_identical_nodes_give_one_group_no_outliers_and_exit_0(healthy):
    fleet = summarize("test", nodes(healthy, healthy, healthy))
    assert not fleet.outliers and not fleet.mixed and fleet.exit_code == 0
    out = render.text(fleet)
    assert "3 nodes  no_problem" in out and "No outliers" in out
    assert out.rstrip().endswith("whynogpu: 3 nodes OK")


def test_json_has_one_entry_per_node_with_its_full_report_redacted_but_the_node_name_kept(healthy):
    silent = Node(name="gpu04", status=NO_ANSWER, reason="no answer within 5 s (Ray node abc, 10.0.0.4)",
                  address="10.0.0.4", node_id="abc")
    fleet = summarize("test", [*nodes(healthy, healthy, node_snapshot(driver="535.104.05")), silent])
    data = render.data(fleet)
    assert [n["name"] for n in data["nodes"]] == ["gpu01", "gpu02", "gpu03", "gpu04"]
    assert data["nodes"][0]["report"]["verdict"]["root_cause"] == "no_problem"
    assert data["nodes"][0]["report"]["findings"][0]["code"] == "WG510"
    assert data["nodes"][3] == {"name": "gpu04", "address": "10.0.0.4", "node_id": "abc", "status": "no_answer",
                                "reason": "no answer within 5 s (Ray node abc, 10.0.0.4)", "traits": {}, "report": None}
    assert data["outliers"] == [{"node": "gpu03", "trait": "driver", "value": "535.104.05", "majority": "550.54.14",
                                 "majority_count": 2}]
    assert data["counts"] == {"nodes": 4, "answered": 3, "no_answer": 1, "failed": 0, "unreadable": 0}
    assert data["summary"] == "3 nodes OK; 1 node no answer"
    text = json.dumps(data)
    assert "GPU-00000000" not in text  # GPU UUIDs redacted per node; the host name (FakeHost's "testhost") too
    assert '"hostname": "testhost"' not in text and '"hostname": "<redacted>"' in text
    assert '"hostname": "testhost"' in render.as_json(fleet, no_redact=True)
    md = render.markdown(fleet)
    assert "| 3 | `no_problem` |" in md and "| gpu03 | driver | 535.104.05 | 550.54.14 (2 nodes) |" in md


def test_many_nodes_keep_the_text_short(healthy):
    fleet = summarize("test", [Node(name=f"n{i}", snapshot=healthy) for i in range(40)])
    line = next(x for x in render.text(fleet).splitlines() if "n0, n1" in x)
    assert line.endswith("… and 28 more")


# -- fleet --from DIR, as a user runs it ------------------------------------------------------------


def _write(folder, name, snapshot) -> None:
    with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
        json.dump(to_data(snapshot), fh)


def test_from_a_folder_with_an_outlier_and_bad_files(tmp_path, healthy):
    for i in range(1, 6):
        _write(tmp_path, f"gpu{i:02d}.json", healthy)
    _write(tmp_path, "gpu06.json", node_snapshot(env={"CUDA_VISIBLE_DEVICES": "1"}))
    (tmp_path / "gpu07.json").write_text("{not json")
    (tmp_path / "gpu08.json").write_text(json.dumps({"schema_version": 1, "probes": [{"name": 3}]}))
    (tmp_path / "notes.txt").write_text("not a snapshot, not a .json: skipped")
    done = subprocess.run([*EXE, "fleet", "--from", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "5 nodes  no_problem" in out and "gpu01, gpu02, gpu03, gpu04, gpu05" in out
    assert "2 nodes  unreadable:" in out and "gpu07: " in out and "is not JSON" in out and "gpu08: " in out
    assert "gpu06  visible devices: CUDA_VISIBLE_DEVICES=1   (the other 5: not set)" in out
    assert out.rstrip().splitlines()[-1].startswith("whynogpu: 5 nodes OK; 1 node ")
    done = subprocess.run([*EXE, "fleet", "--from", str(tmp_path), "--json"], capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert len(data["nodes"]) == 8 and {n["status"] for n in data["nodes"]} == {"answered", "unreadable"}
    assert [o["node"] for o in data["outliers"]] == ["gpu06"]


@pytest.mark.parametrize("args, message", [
    ([], "choose where the nodes are"),
    (["--from", "x", "--ray"], "choose one of --ray and --from"),
    (["--from", "/nonexistent-folder"], "no such folder"),
    (["--slurm"], "--slurm runs inside an allocation"),
    (["--from", ".", "--timeout", "0"], "--timeout must be"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    done = subprocess.run([*EXE, "fleet", *args], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_empty_folder_is_a_usage_error(tmp_path):
    done = subprocess.run([*EXE, "fleet", "--from", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "holds no .json files" in done.stderr


def test_ray_is_not_imported_unless_asked_and_its_absence_is_one_line():
    code = ("import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
            "from whynogpu.cli import run; sys.argv = ['whynogpu', 'fleet', '--ray']; run()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == (
        "whynogpu: --ray needs Ray in whynogpu's environment: pip install 'whynogpu[ray]'")
    code = ("import sys\nfrom whynogpu.cli import run\nsys.argv = ['whynogpu', 'fleet', '--from', '/nonexistent']\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_answered_status_is_the_default_of_a_node():
    assert Node(name="x").status == ANSWERED


def test_a_node_report_in_fleet_json_is_checks_json_report(healthy):
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.redact import for_snapshot
    from whynogpu.render.json_report import report_data as checks

    report = report_from_snapshot(healthy)
    assert render.report_data(report, for_snapshot(healthy)) == checks(report, for_snapshot(healthy))
    assert render.report_data(report, None) == checks(report, None)
