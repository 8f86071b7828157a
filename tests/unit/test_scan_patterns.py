"""One test per scan pattern: the statement that keeps the GPU idle, and its look-alike that must not fire."""

from __future__ import annotations

import textwrap

import pytest

from whynogpu.facts.code import ScanFacts
from whynogpu.model import ProbeResult, ProbeStatus, Severity, Snapshot
from whynogpu.rules import evaluate, load_all
from whynogpu.scan import scan_source


def findings(source: str, path: str = "train.py", extra_probes=()):
    hits, _ = scan_source(textwrap.dedent(source), path)
    facts = ScanFacts(roots=(path,), files_scanned=1, hits=tuple(hits))
    snap = Snapshot(1, "test", "scan", (ProbeResult("code_scan", ProbeStatus.OK, 0.0, facts=facts), *extra_probes))
    load_all()
    return evaluate(snap)


def codes(source: str) -> list[str]:
    return [f.code for f in findings(source)]


POSITIVE = [
    ("WG701", 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'),
    ("WG701", 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = ""\n'),
    ("WG701", 'from os import environ\nenviron.setdefault("CUDA_VISIBLE_DEVICES", "-1")\n'),
    ("WG701", 'import os\nos.putenv("CUDA_VISIBLE_DEVICES", str(-1))\n'),
    ("WG701", 'import os\nos.environ.update({"CUDA_VISIBLE_DEVICES": "-" + "1"})\n'),
    ("WG701", 'import os\nos.environ.update(CUDA_VISIBLE_DEVICES="-1")\n'),
    ("WG701", 'import os\nNO_GPU = "-1"\nos.environ["CUDA_VISIBLE_DEVICES"] = f"{NO_GPU}"\n'),
    ("WG701", 'import os as o\nVAR = "CUDA_" + "VISIBLE_DEVICES"\no.environ[VAR] = "-1"\n'),
    ("WG702", 'import keras\nimport os\nos.environ["KERAS_BACKEND"] = "jax"\n'),
    ("WG703", 'import os\nos.environ["KERAS_BACKEND"] = "torch"\nimport keras\n'),
    ("WG711", 'import tensorflow as tf\nwith tf.device("/CPU:0"):\n    m = tf.keras.Sequential()\n    m.fit(x, y)\n'),
    ("WG711", 'from tensorflow import device\nwith device("/job:localhost/replica:0/task:0/device:CPU:0"):\n    model.fit(x)\n'),
    ("WG712", 'import tensorflow as tf\ntf.config.set_visible_devices([], "GPU")\n'),
    ("WG712", 'import tensorflow as tf\ntf.config.experimental.set_visible_devices([], device_type="GPU")\n'),
    ("WG712", 'from tensorflow import config\nconfig.set_visible_devices(config.list_physical_devices("CPU"))\n'),
    ("WG712", 'import tensorflow.compat.v1 as tf1\ntf1.config.set_visible_devices([], "GPU")\n'),
    ("WG713", 'import tensorflow as tf\nc = tf.compat.v1.ConfigProto(device_count={"GPU": 0})\n'),
    ("WG713", 'import tensorflow as tf\nc = tf.ConfigProto(device_count=dict(GPU=0))\n'),
    ("WG714", 'import jax\njax.config.update("jax_platform_name", "cpu")\n'),
    ("WG714", 'from jax import config\nconfig.update("jax_platforms", "cpu")\n'),
    ("WG714", 'from jax.config import config\nconfig.update("jax_platform_name", "cpu")\n'),
    ("WG714", 'import jax\njax.config.update("jax_default_device", jax.devices("cpu")[0])\n'),
    ("WG714", 'import os\nos.environ["JAX_PLATFORMS"] = "cpu"\n'),
    ("WG714", 'import os\nos.environ["JAX_PLATFORM_NAME"] = "cpu"\n'),
    # numpyro's own setter, and a package's helper of that name run at import (wcxve/elisa's __init__.py, PR #118)
    ("WG714", 'import numpyro\nnumpyro.set_platform("cpu")\n'),
    ("WG714", 'from numpyro.util import set_platform\nset_platform(platform="cpu")\n'),
    ("WG714", 'from .util import set_jax_platform\nset_jax_platform("cpu")\n'),
    ("WG715", 'import torch\ndevice = torch.device("cpu")\n'),
    ("WG715", 'import torch\nDEVICE = "cpu"\n'),
    ("WG715", 'import torch\nmodel = Net()\nmodel.to("cpu")\n'),
    ("WG715", 'import torch\nnet = Net().cuda()\nnet.cpu()\n'),
    # device="cpu" given to a model or a config the code places work with (label-studio-ml-backend's GLiNER example)
    ("WG715", 'import torch\nfrom sentence_transformers import SentenceTransformer\n'
              'm = SentenceTransformer("all-MiniLM-L6-v2", device="cpu")\n'),
    ("WG715", 'import torch\nfrom types import SimpleNamespace\ncfg = SimpleNamespace(\n    steps=10,\n    device="cpu",\n)\n'
              'model = model.to(cfg.device)\n'),
    ("WG716", 'import torch\nfor x, y in loader:\n    loss = crit(model(x), y)\n    loss.backward()\n'
              '    acc = (out == y).cpu()\n'),
]

NEGATIVE = [
    ('import torch\nx = torch.zeros(3, device="cpu")\n', "torch's own tensor factory: a CPU tensor on purpose"),
    ('import torch\nm = SentenceTransformer("x", device="cuda" if torch.cuda.is_available() else "cpu")\n',
     "the CPU only without CUDA"),
    ('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "0"\n', "names GPU 0, which every GPU machine has"),
    ('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = args.gpus\n', "a run-time value"),
    ('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = os.environ.get("GPU", "0")\n', "a run-time value"),
    ('import os\nprint(os.environ["CUDA_VISIBLE_DEVICES"])\n', "read, not set"),
    ('environ = {}\nenviron["CUDA_VISIBLE_DEVICES"] = "-1"\n', "a dict named environ, not os.environ"),
    ('import os\nos.environ["OMP_NUM_THREADS"] = "-1"\n', "another variable"),
    ('import tensorflow as tf\nwith tf.device("/GPU:0"):\n    model.fit(x)\n', "GPU placement"),
    ('import tensorflow as tf\nwith tf.device(dev):\n    model.fit(x)\n', "a run-time device"),
    ('import tensorflow as tf\ngpus = tf.config.list_physical_devices("GPU")\n'
     'tf.config.set_visible_devices(gpus[0], "GPU")\n', "keeps a GPU"),
    ('import tensorflow as tf\ntf.config.set_visible_devices(tf.config.list_physical_devices("CPU"), "CPU")\n',
     "configures CPUs only; GPUs are left unaltered"),
    ('import tensorflow as tf\nc = tf.compat.v1.ConfigProto(device_count={"GPU": 1, "CPU": 0})\n', "one GPU allowed"),
    ('import jax\njax.config.update("jax_enable_x64", True)\n', "another option"),
    ('import jax\njax.config.update("jax_platforms", "cuda,cpu")\n', "CUDA first"),
    ('import numpyro\nnumpyro.set_platform("gpu")\n', "the GPU asked for"),
    ('from mylib import set_platform\nset_platform("cpu")\n', "another library's setter"),
    ('import torch\ndevice = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n', "chosen at run time"),
    ('import torch\nstate = torch.load(path, map_location=torch.device("cpu"))\n', "loading a checkpoint"),
    ('import torch\ntorch.save(model.cpu().state_dict(), path)\n', "a CPU copy for saving"),
    ('DEVICE = "cpu"\n', "no torch in the file"),
    ('import torch\nx = tensor.to("cpu")\n', "a tensor, not the model"),
    ('import torch\nfor x, y in loader:\n    out = model(x)\n    preds.append(out.cpu())\n', "evaluation loop, no backward"),
    ('tf.device("/CPU:0")\nimport os\n', "tf never imported"),
]


@pytest.mark.parametrize("code,source", POSITIVE, ids=[f"{c}-{i}" for i, (c, _) in enumerate(POSITIVE)])
def test_pattern_fires(code, source):
    assert code in codes(source)


@pytest.mark.parametrize("source,why", NEGATIVE, ids=[w for _, w in NEGATIVE])
def test_look_alike_does_not_fire(source, why):
    assert codes(source) == [], why


def test_module_level_is_error_function_is_warning_test_file_is_hint():
    line = 'import os\n{}os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'
    assert findings(line.format(""))[0].severity is Severity.ERROR
    assert findings('import os\nif __name__ == "__main__":\n    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n')[0].severity \
        is Severity.ERROR
    assert findings('import os\ndef f():\n    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n')[0].severity is Severity.WARNING
    assert findings('import os\nif debug:\n    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n')[0].severity is Severity.WARNING
    hits, _ = scan_source(line.format(""), "test_x.py", is_test=True)
    assert hits[0].context == "test"


def test_device_scope_without_model_code_is_only_a_hint():
    fs = findings('import tensorflow as tf\nwith tf.device("/cpu:0"):\n    ds = tf.data.Dataset.range(10)\n')
    assert [(f.code, f.severity) for f in fs] == [("WG711", Severity.HINT)]


def test_fix_shows_the_corrected_line_with_the_users_alias():
    (f,) = findings('import os\nimport tensorflow as tfx\nwith tfx.device("/CPU:0"):\n    model.fit(x)\n')
    assert f.fix.commands == ('with tfx.device("/GPU:0"):',)
    (f,) = findings('import torch as T\ndevice = T.device("cpu")\n')
    assert f.fix.commands == ('device = T.device("cuda" if T.cuda.is_available() else "cpu")',)
    (f,) = findings('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n')
    assert f.fix.commands == ('os.environ["CUDA_VISIBLE_DEVICES"] = "0"',)
    assert f.location.path == "train.py" and (f.location.line, f.location.column) == (2, 1)
    assert f.category == "cuda_visible_devices_hidden"


def test_cuda_visible_devices_index_one_is_a_warning_without_machine_facts_and_an_error_with_one_gpu():
    """CoMoSVC#6: os.environ["CUDA_VISIBLE_DEVICES"]='1' on a one-GPU machine (a desktop or a laptop has one)."""
    from dataclasses import dataclass

    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "1"\n'
    (f,) = findings(src)
    assert f.severity is Severity.WARNING
    assert findings(src.replace('"1"', '"0"')) == []  # the first GPU: any machine with one has it

    @dataclass(frozen=True)
    class GpuFacts:
        gpu_count: int

    one_gpu = ProbeResult("gpu", ProbeStatus.OK, 0.0, facts=GpuFacts(1))
    (f,) = findings(src, extra_probes=(one_gpu,))
    assert f.severity is Severity.ERROR and "does not exist" in f.evidence[1].fact


def test_suppression_comment_silences_only_the_named_code():
    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # whynogpu: ignore[WG701]\n'
    assert codes(src) == []
    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # whynogpu: ignore[WG711]\n'
    assert codes(src) == ["WG701"]
    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # whynogpu: ignore\n'
    assert codes(src) == []
    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"; s = "# whynogpu: ignore"\n'
    assert codes(src) == ["WG701"], "a mark inside a string is not a comment"


def test_suppression_on_the_last_line_of_a_multi_line_statement():
    src = 'import os\nos.environ.update({\n    "CUDA_VISIBLE_DEVICES": "-1",\n})  # whynogpu: ignore[WG701]\n'
    assert codes(src) == []


def test_keras_backend_after_import_points_at_the_import():
    """keras-team/keras-core#749: KERAS_BACKEND set after `import keras_core`."""
    (f,) = findings('import keras_core as k\nimport os\nos.environ["KERAS_BACKEND"] = "jax"\n')
    assert f.code == "WG702" and f.category == "keras_backend_other"
    assert "line 1" in f.evidence[1].fact
    assert f.fix.commands[0] == 'os.environ["KERAS_BACKEND"] = "jax"'


@pytest.mark.parametrize("source", [
    'import jax\ndef run(cpu=False):\n    if cpu:\n        jax.config.update("jax_platform_name", "cpu")\n',
    'import torch\ndef pick(args):\n    if args.use_cpu:\n        device = torch.device("cpu")\n    return device\n',
    'import torch\nif opt.device == "cpu":\n    device = torch.device("cpu")\n',
    # ultralytics' select_device: the CPU when it or Apple's MPS is asked for (yolov5 utils/torch_utils.py)
    'import os\nimport torch\ncpu = device == "cpu"\nmps = device == "mps"\nif cpu or mps:\n'
    '    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n',
])
def test_the_cpu_the_program_is_asked_for_is_a_hint(source):
    # mesh-transformer-jax's to_hf_weights.py: JAX on the CPU only with its --cpu flag; the GPU otherwise
    found = [f for f in findings(source) if f.code in ("WG701", "WG714", "WG715")]
    assert found and all(f.severity is Severity.HINT for f in found), [(f.code, f.severity) for f in found]
    # not a test of something else
    other = source.replace("cpu=False", "small=False").replace("if cpu:", "if small:").replace("args.use_cpu", "args.fast") \
        .replace('opt.device == "cpu"', "opt.fast").replace("if cpu or mps:", "if cpu or fast:")
    assert [f.severity for f in findings(other) if f.code in ("WG701", "WG714", "WG715")] == [Severity.WARNING]
