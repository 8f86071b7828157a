"""Walking, .gitignore, virtual environments, notebooks, unreadable files, the check --scan probe."""

from __future__ import annotations

import json
import os

from whynogpu.host.fake import FakeHost
from whynogpu.host.real import RealHost
from whynogpu.model import Severity
from whynogpu.scan import MAX_BYTES, scan
from whynogpu.scan.gitignore import IgnoreRules
from whynogpu.scan.notebook import read_cells

HERE = os.path.dirname(__file__)
SCAN = os.path.join(HERE, "..", "fixtures", "scan")


def fixture(name: str) -> str:
    return os.path.normpath(os.path.join(SCAN, name))


def by_file(facts) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in facts.hits:
        out.setdefault(os.path.basename(h.path), []).append(h.pattern)
    return out


def test_directory_walk_skips_venv_and_gitignored_files_but_honours_negation():
    facts = scan(RealHost(), (fixture("project-with-venv-and-gitignore"),))
    found = by_file(facts)
    assert "hidden.py" not in found  # inside a venv (pyvenv.cfg)
    assert "out.py" not in found  # build/ is ignored
    assert "skip.generated.py" not in found  # *.generated.py is ignored
    assert found["keep.generated.py"] == ["cuda_visible_devices"]  # !keep.generated.py
    assert found["train.py"] == ["tf_device_cpu"]
    assert found["explore.ipynb:cell 1"] == ["jax_platform_config"]
    assert facts.files_scanned == 3
    assert facts.single_device_training == (os.path.join(fixture("project-with-venv-and-gitignore"), "src", "train.py"),)


def test_a_file_named_explicitly_is_scanned_even_if_ignored():
    path = os.path.join(fixture("project-with-venv-and-gitignore"), "build", "out.py")
    assert [h.pattern for h in scan(RealHost(), (path,)).hits] == ["cuda_visible_devices"]


def test_gitignore_rules():
    rules = IgnoreRules().extended("*.log\n/top.py\ndata/\n!keep.log\nsub/**/gen_*.py\n", "")
    assert rules.ignored("a/b/x.log", False) and not rules.ignored("a/keep.log", False)
    assert rules.ignored("top.py", False) and not rules.ignored("a/top.py", False)
    assert rules.ignored("x/data", True) and not rules.ignored("x/data", False)
    assert rules.ignored("sub/a/b/gen_x.py", False) and not rules.ignored("other/gen_x.py", False)


def test_colab_notebook_keras_backend_after_import_in_an_earlier_cell():
    """keras-team/keras#19423: KERAS_BACKEND set in cell 3 after `import keras` in cell 2."""
    from tests.unit.test_scan_cli import report_for

    report = report_for(fixture("colab-keras3-backend-after-import"))
    (f,) = report.findings
    assert f.code == "WG702" and f.severity is Severity.WARNING
    assert f.location.path.endswith("getting_started.ipynb:cell 3") and f.location.line == 2
    assert "cell 2, line 2" in f.evidence[1].fact


def test_notebook_magics_shell_lines_and_cell_magics():
    facts = scan(RealHost(), (fixture("notebook-env-magics"),))
    got = [(h.cell, h.line, h.pattern, h.context, h.value) for h in facts.hits]
    assert got == [
        (1, 1, "cuda_visible_devices", "module", "-1"),  # %env CUDA_VISIBLE_DEVICES=-1
        (2, 1, "cuda_visible_devices", "shell", "-1"),  # !export … && python train.py
        (4, 1, "cuda_visible_devices", "module", "0"),  # %env …=0: a fact, but no finding (see below)
        (6, 1, "tf_device_cpu", "module", "/cpu:0"),
    ]
    assert [s.path.rsplit(":", 1)[-1] for s in facts.skipped] == ["cell 5"]  # one broken cell, not the notebook
    # %%bash cell 3 is not Python and was not read; `!pip`, `%time`, `x = !ls`, `obj?` are blanked.


def test_notebook_reader_keeps_line_numbers_and_reads_nbformat_3():
    v3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["%matplotlib inline\n", "import os\n"]}]}]}
    (cell,) = read_cells(json.dumps(v3))
    assert cell.source.split("\n")[1] == "import os"


def test_unreadable_files_are_skipped_with_a_reason_never_a_crash(tmp_path):
    big = tmp_path / "huge_pb2.py"
    big.write_text('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n' + "X = 1\n" * (MAX_BYTES // 6 + 10))
    facts = scan(RealHost(), (fixture("unreadable-sources"), str(big)))
    reasons = {os.path.basename(s.path): s.reason for s in facts.skipped}
    assert reasons["broken.ipynb"].startswith("notebook not readable: not valid JSON")
    assert reasons["latin1.py"] == "not UTF-8 text (declares coding latin-1)"
    assert reasons["py2_print.py"].startswith("syntax error at line 1")
    assert reasons["utf16.py"].startswith("binary or UTF-16")
    assert reasons["huge_pb2.py"].startswith("larger than 2 MiB")
    assert facts.hits == ()


def test_check_scan_probe_reads_through_the_host_seam_and_becomes_the_verdict():
    """The stack may be fine; the script is what hides the GPU (CoMoSVC#6 shape, with -1)."""
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import Options, gather

    host = FakeHost(files={"/home/user/proj/train.py": 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n',
                           "/home/user/proj/.venv/pyvenv.cfg": "home = /usr/bin\n",
                           "/home/user/proj/.venv/lib/x.py": 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = ""\n'})
    snap = gather(host, Options(live=False, scan_paths=("/home/user/proj",)), only={"code_scan"})
    report = report_from_snapshot(snap)
    assert report.verdict.root_cause == "cuda_visible_devices_hidden"
    assert [(f.code, f.location.path) for f in report.findings] == [("WG701", "/home/user/proj/train.py")]
    assert any(line.layer == "code" for line in report.layers) or report.layers


def test_check_without_scan_paths_does_not_scan():
    from whynogpu.probes import Options, gather

    snap = gather(FakeHost(), Options(live=False), only={"code_scan"})
    assert snap.probes[0].status.value == "not_applicable"


def test_multi_gpu_machine_training_without_strategy_is_a_hint_only_in_check_mode():
    from dataclasses import dataclass

    from whynogpu.model import ProbeResult, ProbeStatus, Snapshot
    from whynogpu.rules import evaluate, load_all

    facts = scan(RealHost(), (fixture("project-with-venv-and-gitignore"),))

    @dataclass(frozen=True)
    class GpuFacts:
        gpu_count: int

    load_all()
    probes = (ProbeResult("code_scan", ProbeStatus.OK, 0.0, facts=facts),)
    four = ProbeResult("gpu", ProbeStatus.OK, 0.0, facts=GpuFacts(4))
    one = ProbeResult("gpu", ProbeStatus.OK, 0.0, facts=GpuFacts(1))
    assert "WG717" in [f.code for f in evaluate(Snapshot(1, "t", "check", (*probes, four)))]
    assert "WG717" not in [f.code for f in evaluate(Snapshot(1, "t", "check", (*probes, one)))]
    assert "WG717" not in [f.code for f in evaluate(Snapshot(1, "t", "scan", (*probes, four)))]


def test_large_file_parsed_in_part_gives_the_same_hits_and_lines_as_a_whole_parse():
    from whynogpu.scan import scan_source
    from whynogpu.scan.sparse import sparse_source

    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(2000))
    src = ("import os\nimport torch as T\nGPU = '-1'\n" + filler +
           "def main():\n    if True:\n        os.environ['CUDA_VISIBLE_DEVICES'] = GPU\n    device = T.device('cpu')\n")
    assert sparse_source(src, ("visible_devices", "'cpu")) is not None  # the fast path is taken
    hits, _ = scan_source(src, "big.py")
    assert [(h.pattern, h.line, h.context, h.value) for h in hits] == [
        ("cuda_visible_devices", 6006, "function", "-1"), ("torch_device_cpu", 6007, "function", "cpu")]
