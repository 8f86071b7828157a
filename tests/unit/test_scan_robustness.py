"""One odd file never ends a scan: it becomes a skipped-file note and the other files are still read."""

from __future__ import annotations

import json
import os

from whynogpu.host.real import RealHost
from whynogpu.scan import scan
from whynogpu.scan.gitignore import IgnoreRules

GOOD = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'


def scan_dir(tmp_path, files: dict[str, str]):
    """Scan a directory holding `files` plus one good file, and check the good file's hit survived."""
    (tmp_path / "good.py").write_text(GOOD)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    facts = scan(RealHost(), (str(tmp_path),))
    assert "good.py" in [os.path.basename(h.path) for h in facts.hits if h.pattern == "cuda_visible_devices"]
    return facts


def reasons(facts) -> dict[str, str]:
    return {os.path.basename(s.path): s.reason for s in facts.skipped}


def test_invalid_and_pathological_gitignore_patterns(tmp_path):
    scan_dir(tmp_path, {".gitignore": "[z-a].py\n[]\n******************z\n", "zz.py": GOOD})
    rules = IgnoreRules().extended("[z-a].py\n[]\n******************z\n", "")
    assert rules.ignored("a" * 200 + "z", False) and not rules.ignored("a" * 200 + "y", False)
    rules = IgnoreRules().extended("**/**/**/a\n", "")
    assert rules.ignored("a", False) and rules.ignored("x/y/a", False) and not rules.ignored("x/ya", False)


def test_malformed_notebooks_are_notes(tmp_path):
    cell = {"cell_type": "code", "source": 5, "metadata": {}, "outputs": []}
    facts = scan_dir(tmp_path, {
        "null_cells.ipynb": '{"cells": null}',
        "dict_cells.ipynb": '{"cells": {"a": 1}}',
        "bad_worksheets.ipynb": '{"worksheets": [{"cells": 3}]}',
        "number_source.ipynb": json.dumps({"cells": [cell]}),
        "deep.ipynb": "[" * 100000 + "]" * 100000,
        "huge_float.ipynb": '{"cells": [], "x": 1e999999}',
        "huge_int.ipynb": '{"cells": [], "x": ' + "9" * 100000 + "}",
    })
    got = reasons(facts)
    for name in ("null_cells", "dict_cells", "number_source", "deep", "huge_int"):
        assert got[f"{name}.ipynb"].startswith("notebook not readable"), (name, got)
    # A worksheet without a cell list, or a float that overflows to inf, is no reason to give up.
    assert "bad_worksheets.ipynb" not in got and "huge_float.ipynb" not in got


def test_deep_expression_chain_is_a_note(tmp_path):
    chain = "import os\nx = " + " + ".join(['"cpu"'] + ['"a"'] * 2000) + "\nos.environ['CUDA_VISIBLE_DEVICES'] = x\n"
    facts = scan_dir(tmp_path, {"deep.py": chain})
    assert "deep.py" in reasons(facts)


def test_constant_folding_is_bounded(tmp_path):
    doubling = "import os\ns0 = 'ab'\n" + "".join(f"s{i + 1} = s{i} + s{i}\n" for i in range(32))
    doubling += "os.environ['CUDA_VISIBLE_DEVICES'] = s32\n"
    facts = scan_dir(tmp_path, {
        "doubling.py": doubling,
        "repeat.py": "import os\nos.environ['CUDA_VISIBLE_DEVICES'] = 'ab' * 2**31\n",
        "width.py": "import os\nos.environ['CUDA_VISIBLE_DEVICES'] = '%0*d' % (1500000000, 1)\n",
        "fmt.py": "import os\nos.environ['CUDA_VISIBLE_DEVICES'] = '{:>1500000000}'.format(1)\n",
    })
    # Values too large to fold are unknown, so these lines say nothing (and cost nothing).
    assert [os.path.basename(h.path) for h in facts.hits] == ["good.py"]


def test_odd_literals_for_cuda_visible_devices(tmp_path):
    facts = scan_dir(tmp_path, {
        "hex.py": "import os\nos.environ['CUDA_VISIBLE_DEVICES'] = " + "0x" + "f" * 5000 + "\n",
        "fstr.py": "import os\nN = 0x" + "f" * 5000 + "\nos.environ['CUDA_VISIBLE_DEVICES'] = f'{N}'\n",
        "arabic.py": "import os\nos.environ['CUDA_VISIBLE_DEVICES'] = '\u0661\u0662'\n",
    })
    assert facts.skipped == ()
    values = {os.path.basename(h.path): h.value for h in facts.hits}
    assert values["arabic.py"] == "\u0661\u0662" and "hex.py" not in values  # too large to be a device list
    from tests.unit.test_scan_cli import report_for

    report_for(str(tmp_path))  # the rules read these values too


def test_large_notebook_still_has_its_code_cells_scanned(tmp_path):
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["x" * 1000 + "\n"] * 2800}]
    nb = {"cells": [
        {"cell_type": "code", "source": ["import os\n", 'os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'],
         "metadata": {}, "outputs": outputs, "execution_count": 1},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(nb))
    assert path.stat().st_size > 2 * 1024 * 1024
    facts = scan(RealHost(), (str(path),))
    assert [(h.path.rsplit("/", 1)[-1], h.pattern, h.value) for h in facts.hits] == [
        ("big.ipynb:cell 1", "cuda_visible_devices", "-1")]
    assert facts.skipped == ()


def test_class_body_device_attribute_is_not_module_level(tmp_path):
    src = ('import torch\n\nclass CPUTestBase:\n    device_type = "cpu"\n\ndevice = "cpu"\n'
           'if __name__ == "__main__":\n    class Local:\n        device = "cpu"\n\n'
           '        def m(self):\n            device = "cpu"\n')
    (tmp_path / "m.py").write_text(src)
    facts = scan(RealHost(), (str(tmp_path),))
    got = [(h.line, h.pattern, h.context) for h in facts.hits]
    # A class attribute is its own context (it forces nothing until read); the rest keep theirs.
    assert got == [(4, "torch_device_cpu", "class"), (6, "torch_device_cpu", "module"),
                   (9, "torch_device_cpu", "class"), (12, "torch_device_cpu", "function")]
    from tests.unit.test_scan_cli import report_for

    findings = {f.location.line: f for f in report_for(str(tmp_path)).findings if f.location}
    assert findings[4].severity.value == "warning" and findings[6].severity.value == "error"  # like a method's
    assert "in a class body" in findings[4].evidence[0].fact  # said in words, not "(class)"
