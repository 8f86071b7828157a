"""The scan engine and snapshot loading take any input without raising (issue 14, item 16).

scan: Python sources, notebooks and .gitignore files made of code-shaped fragments and garbage; every
file is either scanned or becomes a skipped-file note. Snapshot loading: any JSON (and any bytes)
either loads or raises SnapshotError, the "not a snapshot" path `check --from` turns into exit 2.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from whynogpu import snapshot_io
from whynogpu.facts.code import ScanFacts
from whynogpu.host.fake import FakeHost
from whynogpu.model import Snapshot
from whynogpu.scan import scan
from whynogpu.scan.gitignore import IgnoreRules

FUZZ = settings(max_examples=80, deadline=timedelta(seconds=3), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

FRAGMENTS = st.sampled_from([
    "import os\n", "import torch\n", "import tensorflow as tf\n", "from jax import config\n", "import keras\n",
    'os.environ["CUDA_VISIBLE_DEVICES"] = ', "os.environ['KERAS_BACKEND'] = ", "os.environ.update(", "os.putenv(",
    '"-1"', "'cpu'", '"/cpu:0"', "0x" + "f" * 50, "'%0*d' % (9, 1)", "'ab' * 99", "f'{N}'", "N", "None", "[", "]",
    "(", ")", "{", "}", ",", ":", "\n", "    ", "device = ", "model.to(", "model.cpu()", "with tf.device(",
    "tf.config.set_visible_devices([], 'GPU')", "config.update('jax_platforms', 'cpu')", "class A:\n    ",
    "def f():\n    ", "if __name__ == '__main__':\n    ", "lambda: ", " + ", " * ", "\\", "'''", '"', "#", "\x00",
    "\ufeff", "\udcff", "# whynogpu: ignore[WG701]", "for x in y:\n    loss.backward()\n    x.cpu()\n", "1e999",
])
SOURCE = st.one_of(st.lists(FRAGMENTS, max_size=30).map("".join), st.text(max_size=300))


def _cell(source):
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": []}


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                    max_leaves=10)
NOTEBOOK = st.one_of(
    st.lists(st.one_of(SOURCE.map(_cell), SOURCE.map(lambda s: _cell(s.splitlines(True))), JSON), max_size=4)
    .map(lambda cells: json.dumps({"cells": cells, "nbformat": 4})),
    JSON.map(json.dumps),
    SOURCE,
    st.sampled_from(['{"cells": null}', '{"worksheets": [{"cells": 3}]}', "[" * 5000 + "]" * 5000,
                     '{"cells": [{"cell_type": "code", "source": "%%bash\\nexport CUDA_VISIBLE_DEVICES=-1"}]}',
                     '{"cells": [{"cell_type": "code", "source": "!CUDA_VISIBLE_DEVICES=\\"-1 python x.py"}]}']),
)
GITIGNORE = st.lists(st.one_of(st.sampled_from(["*", "**", "/", "!", "[", "]", "[!", "\\", "a", "*.py", "\n",
                                                "[z-a]", "[[:nope:]]", "# c", " "]), st.text(max_size=4)),
                     max_size=12).map("".join)


@FUZZ
@given(py=SOURCE, nb=NOTEBOOK, ignore=GITIGNORE)
@example(py="import os\nx = " + " + ".join(['"cpu"'] * 3000) + "\nos.environ['CUDA_VISIBLE_DEVICES'] = x\n",
         nb='{"cells": [], "x": ' + "9" * 5000 + "}", ignore="[]\n*a*a*a*a*a*a*a*b\n")
def test_scan_never_raises(py, nb, ignore):
    host = FakeHost(files={"/p/a.py": py, "/p/n.ipynb": nb, "/p/.gitignore": ignore, "/p/sub/b.py": py})
    facts = scan(host, ("/p",))
    assert isinstance(facts, ScanFacts)
    for h in facts.hits:
        assert isinstance(h.line, int) and isinstance(h.statement, str) and isinstance(h.context, str)
    assert all(isinstance(s.reason, str) and s.reason for s in facts.skipped)


@FUZZ
@given(GITIGNORE, st.lists(st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s), min_size=1, max_size=3))
def test_gitignore_never_raises(text, parts):
    assert isinstance(IgnoreRules().extended(text, "").ignored("/".join(parts), False), bool)


def _load(tmp_path, text: str):
    path = tmp_path / "snap.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        snap = snapshot_io.load(str(path))
    except snapshot_io.SnapshotError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert isinstance(snap, Snapshot)
    return snap


PROBE_NAMES = st.sampled_from(["target", "platform", "gpu", "driver", "cuda_libs", "frameworks", "packages",
                               "environment", "code_scan", "report", "nope"])
PROBE = st.fixed_dictionaries(
    {"name": st.one_of(PROBE_NAMES, JSON), "status": st.one_of(st.sampled_from(["ok", "failed", "skipped"]), JSON)},
    optional={"facts": JSON, "duration_s": st.one_of(JSON, st.just(10 ** 400)), "reason": JSON,
              "side_effects": JSON, "origin": JSON},
)


@FUZZ
@given(st.one_of(
    st.fixed_dictionaries({"schema_version": st.sampled_from([1, "1", None]), "probes": st.lists(PROBE, max_size=3)}),
    JSON))
@example({"schema_version": 1, "probes": [{"name": "target", "status": "ok", "duration_s": 10 ** 400}]})
def test_snapshot_of_any_json_loads_or_is_refused(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("s"), json.dumps(data))


@pytest.fixture(scope="module")
def real_snapshot(tmp_path_factory) -> dict:
    """A snapshot as `whynogpu snapshot --no-probe` writes it, of an env with tensorflow-cpu installed."""
    from helpers import host_with_site, make_dist
    from whynogpu.probes import Options, gather

    site = tmp_path_factory.mktemp("site")
    make_dist(site, "tensorflow-cpu", "2.21.0", {"tensorflow/__init__.py": "",
              "tensorflow/python/platform/build_info.py": "build_info = {'is_cuda_build': False}\n"},
              top_level=["tensorflow"])
    host = host_with_site(str(site), env={"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": "-1"})
    return snapshot_io.to_data(gather(host, Options(live=False)))


def _mutate(data, path, value):
    if not path:
        return value
    if isinstance(data, dict) and data:
        key = sorted(data)[path[0] % len(data)]
        return {**data, key: _mutate(data[key], path[1:], value)}
    if isinstance(data, list) and data:
        i = path[0] % len(data)
        return data[:i] + [_mutate(data[i], path[1:], value)] + data[i + 1:]
    return value


@FUZZ
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6),
       st.one_of(JSON, st.sampled_from([10 ** 400, -1, 1e308, "9" * 5000, [[[[[]]]]]])))
def test_a_damaged_real_snapshot_loads_or_is_refused(tmp_path_factory, real_snapshot, path, value):
    _load(tmp_path_factory.mktemp("s"), json.dumps(_mutate(real_snapshot, path, value)))


@FUZZ
@given(st.binary(max_size=200))
def test_snapshot_of_any_bytes_loads_or_is_refused(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("s") / "snap.json"
    path.write_bytes(data)
    try:
        snapshot_io.load(str(path))
    except snapshot_io.SnapshotError:
        pass
