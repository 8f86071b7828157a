"""Which containers and jobs of a scanned file are meant for a GPU (rules WG718, WG728, WG729): an image whose tag names
a CUDA build, and the CPU parts a file gives no GPU on purpose."""

from __future__ import annotations

from whynogpu.commands.scan import scan_report
from whynogpu.host.real import RealHost
from whynogpu.model import Severity
from whynogpu.rules import folded


def _said(path) -> list[tuple[str, int]]:
    report, _, _ = scan_report(RealHost(), (str(path),))
    return sorted((f.code, f.location.line) for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING))


def test_a_service_on_an_image_whose_tag_names_a_cuda_build_needs_a_reservation(tmp_path):
    # a project's own image, tagged the way PyTorch names its CUDA wheels (cu118), with no reservation
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  dev:\n    image: someone/buildings:torch2.3.0-cu11.8\n"
                       "  train:\n    image: someone/trainer:latest-gpu\n"
                       "  web:\n    image: someone/frontend:1.4\n")
    assert _said(compose) == [("WG728", 3), ("WG728", 5)]  # the front end's image names no GPU build


def test_a_tensorboard_sidecar_on_the_training_image_needs_no_gpu(tmp_path):
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  tb:\n    image: someone/buildings:torch2.3.0-cu11.8\n"
                       "    command: tensorboard --logdir=/runs\n")
    assert _said(compose) == []


def test_a_parameter_server_beside_gpu_workers_is_on_the_cpu_by_design(tmp_path):
    # a TFJob whose PS replica runs --device=cpu with no GPU, while its workers ask for two
    job = tmp_path / "tf_cnn_training.yaml"
    job.write_text("""apiVersion: kubeflow.org/v1
kind: TFJob
metadata:
  name: cnn
spec:
  tfReplicaSpecs:
    Ps:
      template:
        spec:
          containers:
          - name: tensorflow
            image: nvcr.io/nvidia/tensorflow:24.01-tf2-py3
            args: [python, tf_cnn_benchmarks.py, --device=cpu]
    Worker:
      replicas: 1
      template:
        spec:
          containers:
          - name: tensorflow
            image: nvcr.io/nvidia/tensorflow:24.01-tf2-py3
            args: [python, tf_cnn_benchmarks.py, --device=gpu]
            resources:
              limits:
                nvidia.com/gpu: 2
""")
    assert _said(job) == []
    # the same job without the workers' GPUs: nothing in it is given a GPU, so the CUDA image is left without one
    job.write_text(job.read_text().replace("            resources:\n              limits:\n                nvidia.com/gpu: 2\n", ""))
    assert [code for code, _ in _said(job)] == ["WG718", "WG729", "WG729"]


def _code_findings(path) -> list[tuple[str, str, int]]:
    report, _, _ = scan_report(RealHost(), (str(path),))
    return sorted((f.code, f.severity.value, f.location.line) for f in report.findings)


def test_a_hidden_default_that_a_later_line_replaces_is_a_hint(tmp_path):
    # a benchmark runner: CPU only unless GPUs are asked for on the command line
    script = tmp_path / "runner.py"
    script.write_text('import os\nimport argparse\n\ndef main(args):\n    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'
                      '    if args.gpus:\n        os.environ["CUDA_VISIBLE_DEVICES"] = args.gpus\n')
    assert _code_findings(script) == [("WG701", "hint", 5)]
    # nothing sets it again: the GPU is hidden on every run
    script.write_text('import os\n\ndef main(args):\n    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n    run(args)\n')
    assert [c for c, sev, _ in _code_findings(script) if sev != "hint"] == ["WG701"]


def test_a_template_model_on_the_cpu_for_multi_gpu_model_is_a_hint(tmp_path):
    # keras.utils.multi_gpu_model's documented use: the template under tf.device('/cpu:0'), replicas on the GPUs
    body = ("import tensorflow as tf\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n"
            "from keras.utils import multi_gpu_model\n\n"
            "with tf.device('/cpu:0'):\n    model = Sequential()\n    model.add(Dense(16))\n"
            "parallel = multi_gpu_model(model, gpus=2)\nparallel.compile(loss='mse', optimizer='adam')\n")
    script = tmp_path / "train.py"
    script.write_text(body)
    assert _code_findings(script) == [("WG711", "hint", 6)]
    script.write_text(body.replace("parallel = multi_gpu_model(model, gpus=2)\nparallel", "model"))
    assert _code_findings(script) == [("WG711", "error", 6)]


def test_a_cuda_image_of_another_release_than_tensorflow_was_built_with_is_wg730(tmp_path):
    # nvidia/cuda 10.1 with cuDNN 7 under TensorFlow 2.4, built with CUDA 11.0 and cuDNN 8 (tensorflow.org's table)
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM nvidia/cuda:10.1-cudnn7-devel\nRUN pip install tensorflow~=2.4 deepchem\n")
    report, _, _ = scan_report(RealHost(), (str(docker),))
    [f] = [f for f in report.findings if f.code == "WG730"]
    assert (f.category, f.location.line) == ("cuda_version_mismatch", 2)
    assert "libcudart.so.11.0 (the image has libcudart.so.10.1)" in " ".join(e.fact for e in f.evidence)
    # pasteable: the newest release built for the image's CUDA 10.1 and cuDNN 7 (2.3), else the image of 2.4's CUDA
    assert f.fix.commands[0].startswith('pip install "tensorflow==2.3.*"') and "nvidia/cuda:11.0" in f.fix.commands[1]
    # the same CUDA family, another cuDNN major: TensorFlow 2.15 (CUDA 12.2, cuDNN 8) on a cuDNN 9 image
    docker.write_text("FROM nvidia/cuda:12.4.1-cudnn9-runtime-ubuntu22.04\nRUN pip install tensorflow==2.15.0\n")
    report, _, _ = scan_report(RealHost(), (str(docker),))
    assert [(f.code, f.category) for f in report.findings if f.code == "WG730"] == [("WG730", "cudnn_version_mismatch")]
    # the image of the build's own CUDA and cuDNN, and a pip CUDA that brings its own libraries: nothing to say
    for ok in ("FROM nvidia/cuda:11.0.3-cudnn8-runtime-ubuntu20.04\nRUN pip install tensorflow==2.4.1\n",
               "FROM nvidia/cuda:10.1-cudnn7-devel\nRUN pip install 'tensorflow[and-cuda]==2.16.1'\n"):
        docker.write_text(ok)
        report, _, _ = scan_report(RealHost(), (str(docker),))
        assert not [f for f in report.findings if f.code == "WG730"], ok


def test_a_conda_framework_with_nothing_that_asks_for_cuda_is_left_to_the_solver(tmp_path):
    # hpcaitech/FastFold#27: pytorch from the pytorch channel without cudatoolkit, and conda chose the CPU build
    env = tmp_path / "environment.yml"
    base = "name: fold\nchannels:\n  - conda-forge\n  - pytorch\ndependencies:\n  - conda-forge::python=3.8\n"
    env.write_text(base + "  - pytorch::pytorch=1.11.0\n")
    assert _said(env) == [("WG721", 7)]
    report, _, _ = scan_report(RealHost(), (str(env),))
    assert report.findings[0].severity is Severity.WARNING and "pytorch-cuda" in report.findings[0].fix.commands[0]
    # what PyTorch's conda instructions add, a CUDA build string, or conda-forge's cuda-version: the file decides
    for gpu in ("  - pytorch::pytorch=1.11.0\n  - cudatoolkit=11.3\n",
                "  - pytorch=2.1\n  - pytorch-cuda=12.1\n",
                "  - conda-forge::pytorch=2.4=*cuda*\n",
                "  - jaxlib=0.4.30\n  - cuda-version=12.4\n"):
        env.write_text(base + gpu)
        assert _said(env) == [], gpu


def test_a_pytorch_spec_past_its_pytorch_cudas_builds_may_solve_to_the_cpu_build(tmp_path):
    # facebookresearch/DiT#109: `pytorch >= 1.13` beside pytorch-cuda=11.7 solved to pytorch 2.5.1's CPU build; the
    # CUDA 11.7 builds stop at 2.0.1 (knowledge/pytorch_cuda_conda.csv)
    env = tmp_path / "environment.yml"
    head = "name: dit\nchannels:\n  - pytorch\n  - nvidia\ndependencies:\n  - python >= 3.8\n"
    env.write_text(head + "  - pytorch >= 1.13\n  - pytorch-cuda=11.7\n")
    assert _said(env) == [("WG721", 7)]
    report, _, _ = scan_report(RealHost(), (str(env),))
    assert "<=2.0.1" in report.findings[0].fix.commands[0]
    # a spec kept to the releases built for it, or a pytorch-cuda whose builds reach the channel's last release
    for fine in ("  - pytorch=2.0.1\n  - pytorch-cuda=11.7\n", "  - pytorch >=1.13,<2.1\n  - pytorch-cuda=11.7\n",
                 "  - pytorch >= 2.1\n  - pytorch-cuda=12.1\n"):
        env.write_text(head + fine)
        assert _said(env) == [], fine


def test_a_slurm_job_on_gpu_nodes_that_asks_for_no_gpu_is_wg731(tmp_path):
    # BLAST-AI-ML/synapse#199: torch.cuda.is_available() was False until `#SBATCH --gpus-per-node=1` was added
    job = tmp_path / "training.sbatch"
    head = "#!/bin/bash -l\n\n#SBATCH -t 00:15:00\n#SBATCH -N 1\n#SBATCH -q realtime\n#SBATCH --constraint=gpu\n"
    tail = "\nmodule load python\nsrun python train.py --experiment a\n"
    job.write_text(head + tail)
    assert _said(job) == [("WG731", 6)]
    # the GPUs asked for, in any of sbatch's spellings: nothing to say
    for ask in ("#SBATCH --gpus-per-node=1\n", "#SBATCH --gres=gpu:a100:2\n", "#SBATCH -G 1\n",
                "#SBATCH --tres-per-task=gres/gpu:1\n"):
        job.write_text(head + ask + tail)
        assert _said(job) == [], ask
    # a directive after the first command is not read by sbatch: the request there does not count
    job.write_text(head + tail + "#SBATCH --gres=gpu:1\n")
    assert _said(job) == [("WG731", 6)]
    # a CPU partition and no CUDA: a CPU job
    job.write_text("#!/bin/bash\n#SBATCH -p standard\n#SBATCH -n 4\nsrun python preprocess.py\n")
    assert _said(job) == []
    # no GPU partition named, but a CUDA module loaded: meant for a GPU
    job.write_text("#!/bin/bash\n#SBATCH -p main\nmodule load cuda/12.1\nsrun python train.py\n")
    assert _said(job) == [("WG731", 2)]


def test_a_trainer_told_to_train_on_the_cpu_is_wg720(tmp_path):
    script = tmp_path / "train.py"
    for told in ("Trainer(gpus=0 if torch.cuda.is_available() else None, max_epochs=1)",  # unitaryai/detoxify#114
                 'Trainer(accelerator="cpu", devices=1)', "Trainer(gpus=0)"):
        script.write_text(f"import torch\nfrom pytorch_lightning import Trainer\ntrainer = {told}\n")
        assert _code_findings(script) == [("WG720", "error", 3)], told
    script.write_text("from transformers import TrainingArguments\nargs = TrainingArguments('out', use_cpu=True)\n")
    assert _code_findings(script) == [("WG720", "error", 2)]
    # the GPU when there is one, or the trainer's own choice: nothing to say
    for fine in ("Trainer(gpus=1 if torch.cuda.is_available() else 0)", 'Trainer(accelerator="auto")',
                 'Trainer(accelerator="gpu" if torch.cuda.is_available() else "cpu")'):
        script.write_text(f"import torch\nimport lightning as L\nfrom lightning import Trainer\ntrainer = {fine}\n")
        assert _code_findings(script) == [], fine


def test_an_install_scripts_pip_lines_are_what_it_installs(tmp_path):
    # Lvchangze/pcax install.sh: jax's cuda12_pip extra is gone from jax 0.6.0 on (jax-ml/jax 5cf74cc), so an
    # unpinned install today gets the CPU jaxlib alone
    script = tmp_path / "install.sh"
    script.write_text('pip install --upgrade "jax[cuda12_pip]" -f https://storage.googleapis.com/jax-releases/'
                      'jax_cuda_releases.html\npip install torch==1.13.1\n')
    assert _said(script) == [("WG721", 1)]
    # pinned below the release that dropped it, the extra still installs the CUDA jaxlib; cuda12 is today's name
    for ok in ('pip install "jax[cuda12_pip]==0.4.30"\n', 'pip install -U "jax[cuda12]"\n',
               'if [ -n "$CPU" ]; then pip install "jax[cuda12_pip]"; fi\n'):
        script.write_text(ok)
        assert _said(script) == [], ok


def test_a_scripts_install_lines_fill_one_environment_in_order(tmp_path):
    # feature-attribution-methods-jax setup.sh: flax after `pip install "jax[cuda12]"` finds the CUDA jax installed,
    # and the CPU torch after them is one beside a CUDA jax (a hint); flax alone brings the CPU jaxlib
    script = tmp_path / "setup.sh"
    script.write_text('pip install -U "jax[cuda12]"\npip install flax==0.8.5\n'
                      "pip3 install torch --index-url https://download.pytorch.org/whl/cpu\n")
    assert _said(script) == []
    script.write_text("pip install flax==0.8.5\n")
    assert _said(script) == [("WG721", 1)]


def test_a_cpu_build_beside_another_frameworks_cuda_build_is_a_hint(tmp_path):
    # keras-hub's requirements-torch-cuda.txt: tensorflow-cpu and jax[cpu] for data and tests, torch+cu126 for models
    reqs = tmp_path / "requirements-torch-cuda.txt"
    reqs.write_text("tensorflow-cpu~=2.18\n--extra-index-url https://download.pytorch.org/whl/cu126\n"
                    "torch==2.6.0+cu126\njax[cpu]\n")
    report, _, _ = scan_report(RealHost(), (str(reqs),))
    assert sorted((f.code, f.severity.value) for f in report.findings) == [("WG721", "hint"), ("WG721", "hint")]
    reqs.write_text("tensorflow-cpu~=2.18\n")  # alone, in a file named for the GPU: the models run on it
    assert _said(reqs) == [("WG721", 1)]


def test_two_tensorflow_builds_the_fix_deletes_the_cpu_one(tmp_path):
    # before 2.1 the plain `tensorflow` is the CPU build: with tensorflow-gpu beside it, that line goes
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("Keras==2.2.4\ntensorflow==1.13.1\ntensorflow-gpu==1.13.1\n")
    report, _, _ = scan_report(RealHost(), (str(reqs),))
    [f] = [f for f in report.findings if f.code == "WG722"]
    assert f.severity is Severity.ERROR and f.fix.commands == ("# delete: tensorflow==1.13.1",)


def test_which_plain_tensorflow_releases_are_cpu_only(tmp_path):
    # RELEASE.md 1.15.0: `tensorflow` includes GPU support; tensorflow#36347: from 1.15.2 the plain package is CPU
    # again (tensorflow-gpu for the GPU); 2.0 is CPU-only, 2.1 on include GPU support. pip installs the newest allowed.
    reqs = tmp_path / "requirements-gpu.txt"
    for pin, cpu in (("tensorflow==1.13.1", True), ("tensorflow==1.15.0", False), ("tensorflow==1.15", False),
                     ("tensorflow==1.15.2", True), ("tensorflow<2", True), ("tensorflow==2.0.0", True),
                     ("tensorflow==2.4.1", False), ("tensorflow>=1.15,<2.2", False)):
        reqs.write_text(pin + "\n")
        assert (_said(reqs) == [("WG721", 1)]) is cpu, pin


def test_the_release_range_of_a_knowledge_row():
    from whynogpu.knowledge import in_release_range

    assert in_release_range("1.14.2", "0.5", "1.14") and not in_release_range("1.15.0", "0.5", "1.14")
    assert in_release_range("1.15.5", "1.15.2", "1.15") and not in_release_range("1.15", "1.15.2", "1.15")
    assert in_release_range("2.8", "1.9", "") and not in_release_range("", "1.0", "2.0")


def test_the_cpu_branch_of_a_gpu_check_is_a_fallback(tmp_path):
    script = tmp_path / "train.py"
    fallback = ("import torch\nif torch.cuda.is_available():\n    device = torch.device('cuda')\n"
                "elif torch.backends.mps.is_available():\n    device = torch.device('mps')\nelse:\n"
                "    device = torch.device('cpu')\nmodel.to(device)\n")
    script.write_text(fallback)
    assert _code_findings(script) == []
    script.write_text("import torch\nif not torch.cuda.is_available():\n    device = torch.device('cpu')\n")
    assert _code_findings(script) == []
    # pytorch/examples word_language_model: the GPU only with --accel, so without the flag the CPU is the choice
    script.write_text("import torch\nif args.accel and torch.accelerator.is_available():\n"
                      "    device = torch.accelerator.current_accelerator()\nelse:\n    device = torch.device('cpu')\n")
    assert [c for c, _, _ in _code_findings(script)] == ["WG715"]


def test_a_second_device_variable_for_the_cpu_beside_the_gpu_one_is_a_hint(tmp_path):
    # rasbt/LLMs-from-scratch ch05: training on `device` (the GPU when there is one), generation on the CPU
    script = tmp_path / "ch05.py"
    body = ("import torch\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nmodel.to(device)\n"
            "inference_device = torch.device('cpu')\nmodel.to(inference_device)\n")
    script.write_text(body)
    assert _code_findings(script) == [("WG715", "hint", 4)]
    script.write_text(body.replace("inference_device", "device"))  # the same variable: the CPU from then on
    assert _code_findings(script) == [("WG715", "error", 4)]


def test_files_read_by_what_they_hold(tmp_path):
    # tensorflow/benchmarks perfzero: Dockerfile_<variant>, a pip command held in an ENV variable, and plain
    # tf-nightly (it loads cuDNN from the system) on a CUDA image without cuDNN
    docker = tmp_path / "Dockerfile_ubuntu_2204_tf_cuda_12"
    docker.write_text('FROM nvidia/cuda:12.2.0-devel-ubuntu20.04 as base\nARG spec="tf-nightly"\n'
                      'ENV PIP_CMD="python3.11 -m pip"\nRUN ${PIP_CMD} install --upgrade ${spec}\n')
    report, _, _ = scan_report(RealHost(), (str(docker),))
    assert [(f.code, f.category) for f in report.findings] == [("WG724", "cudnn_missing")]
    # a conda environment and a compose file named neither way (jeffheaton/t81_558's tensorflow-gpu.yml)
    env = tmp_path / "tensorflow-gpu.yml"
    env.write_text("name: course\n\ndependencies:\n    - python=3.7\n    - tensorflow\n")
    assert _said(env) == [("WG721", 5)]
    stack = tmp_path / "stack.yml"
    stack.write_text("services:\n  lab:\n    image: lab/experiments\n    build:\n      context: .\n      args:\n"
                     "        BASE_IMAGE: tensorflow/tensorflow:latest-gpu-jupyter\n")
    assert _said(stack) == [("WG728", 3)]  # its build's base is a CUDA image, and it reserves no GPU


def test_what_a_set_of_requirements_holds_is_worked_out_once_per_set(tmp_path, monkeypatch):
    # each rule asks every line what the whole set holds; asked afresh per line, a file of thousands of lines cost
    # minutes (quadratic). rules.files.Together works it out once per set.
    import whynogpu.rules.files as files

    calls = []
    real = files._gpu_builds
    monkeypatch.setattr(files, "_gpu_builds", lambda reqs: calls.append(len(reqs)) or real(reqs))
    env = tmp_path / "environment.yml"
    env.write_text("dependencies:\n" + "  - tensorflow\n" * 3000)
    report, _, _ = scan_report(RealHost(), (str(env),))
    shown = [f for f in report.findings if f.code == "WG721"]
    assert 0 < len(calls) <= 10
    # the first ten lines are given in full, the other 2990 are folded into the tenth's evidence
    assert [f.location.line for f in shown] == list(range(2, 12))
    assert folded(shown[-1]).startswith("and 2990 more line(s) in this file give the same finding (line 12, 13, ")
    assert not folded(shown[0])


def test_a_finding_repeated_in_another_file_is_not_folded_into_the_first(tmp_path):
    one, two = tmp_path / "a", tmp_path / "b"
    for d in (one, two):
        d.mkdir()
        (d / "requirements.txt").write_text("tensorflow-cpu\n" * 12)
    report, _, _ = scan_report(RealHost(), (str(tmp_path),))
    by_file = {}
    for f in report.findings:
        by_file.setdefault(f.location.path, []).append(f)
    assert sorted(len(v) for v in by_file.values()) == [10, 10]
    assert all(folded(v[-1]).startswith("and 2 more line(s)") for v in by_file.values())


def test_tensorflow_beside_jax(tmp_path):
    # deepmind/perceiver-ar#14: a haiku trainer with a tf.data input pipeline, TensorFlow not kept off the GPU
    script = tmp_path / "experiment.py"
    body = ("import haiku as hk\nimport jax\nimport tensorflow as tf\n\n"
            "def build_input() -> tf.data.Dataset:\n    return tf.data.Dataset.range(10)\n")
    script.write_text(body)
    assert _code_findings(script) == [("WG704", "warning", 3)]
    # PR #17's fix, as JAX's documentation advises: TensorFlow hidden from the GPU (a hint, not a problem)
    script.write_text(body + 'tf.config.set_visible_devices([], "GPU")\n')
    assert _code_findings(script) == [("WG712", "hint", 7)]
    # the same call in a program that computes with TensorFlow itself hides its only GPU user
    script.write_text('import tensorflow as tf\ntf.config.set_visible_devices([], "GPU")\nmodel.fit(x, y)\n')
    assert _code_findings(script) == [("WG712", "error", 2)]


def test_a_jax_library_alone_brings_the_cpu_jaxlib(tmp_path):
    # kuprel/min-dalle#22: `flax==0.4.2` and no jax[cuda]: "No GPU/TPU found, falling back to CPU"
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("torch\nflax==0.4.2\n")
    assert _said(reqs) == [("WG721", 2)]
    reqs.write_text("flax==0.8.5\njax[cuda12]==0.4.30\n")
    assert _said(reqs) == []


def test_a_pixi_workspace_without_cuda_declared_installs_the_cpu_pytorch(tmp_path):
    # pixi's PyTorch guide: without system-requirements.cuda (or, from 0.71, cuda on a platform) pixi installs the
    # CPU-only builds; 2986002971/lung_image locked pytorch-2.5.1-cpu_mkl from such a file
    pixi = tmp_path / "pixi.toml"
    head = '[project]\nname = "xray"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
    deps = '[dependencies]\npython = "3.12"\nnumpy = "*"\npytorch = "*"\ntorchvision = "*"\n'
    pixi.write_text(head + deps)
    report, _, _ = scan_report(RealHost(), (str(pixi),))
    (f,) = [f for f in report.findings if f.code == "WG721"]
    assert f.location.line == 9 and f.severity is Severity.WARNING
    assert "__cuda" in f.evidence[0].fact and f.fix.commands[0] == "[system-requirements]"
    # CUDA declared: for the workspace, for a feature whose environments hold these packages, or on a platform
    for declared in (head + deps + '\n[system-requirements]\ncuda = "12"\n',
                     head + deps + '\n[feature.gpu.system-requirements]\ncuda = "12.4"\n\n[environments]\ngpu = ["gpu"]\n',
                     head.replace('platforms = ["linux-64"]', 'platforms = [{ platform = "linux-64", cuda = "12.0" }]')
                     + deps):
        pixi.write_text(declared)
        assert _said(pixi) == [], declared
    # the CUDA build asked for outright (pytorch-cuda from the pytorch channel): the solve fails loudly, never quietly CPU
    pixi.write_text(head + deps + 'pytorch-cuda = "12.1.*"\n')
    assert _said(pixi) == []
    # a feature meant for the CPU (named so) is the CPU on purpose
    pixi.write_text(head + '[feature.cpu.dependencies]\npytorch = "*"\n\n[environments]\ncpu = ["cpu"]\n')
    assert _said(pixi) == []


def test_a_pixi_workspace_in_pyproject_is_read_as_pixi_toml_is(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "seg"\nrequires-python = ">=3.11"\n\n[tool.pixi.workspace]\n'
                         'channels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[tool.pixi.dependencies]\n'
                         'jaxlib = "*"\njax = "*"\n')
    assert ("WG721", 10) in _said(pyproject)
    pyproject.write_text(pyproject.read_text() + '\n[tool.pixi.system-requirements]\ncuda = "12"\n')
    assert _said(pyproject) == []


def test_ray_work_told_to_take_no_gpu(tmp_path):
    # ray-project/ray-educational-materials' batch inference: the predictor picks "cuda" if available, but the actors
    # are started with num_gpus=0, so Ray gives them CUDA_VISIBLE_DEVICES="" (vllm-project/vllm#3198)
    script = tmp_path / "infer.py"
    head = ("import ray\nimport torch\nfrom ray.data import ActorPoolStrategy\n\nclass Predictor:\n"
            "    def __init__(self):\n        self.device = 'cuda' if torch.cuda.is_available() else 'cpu'\n\n")
    script.write_text(head + "preds = ds.map_batches(Predictor, num_gpus=0, compute=ActorPoolStrategy(size=2))\n")
    assert _code_findings(script) == [("WG705", "error", 9)]
    script.write_text(head + "@ray.remote(num_gpus=0)\ndef embed(batch):\n    return batch\n")
    assert _code_findings(script) == [("WG705", "error", 10)]  # the task it decorates
    # a GPU asked for, or the work's own default: nothing to say
    for fine in ("ds.map_batches(Predictor, num_gpus=1, compute=ActorPoolStrategy(size=2))",
                 "Worker.options(num_gpus=0.5).remote()", "ds.map_batches(Predictor, batch_size=32)"):
        script.write_text(head + fine + "\n")
        assert _code_findings(script) == [], fine
    # CPU work in code that never names CUDA is a CPU task by design: a hint
    script.write_text("import ray\n\n@ray.remote(num_gpus=0)\ndef tokenize(batch):\n    return batch\n")
    assert _code_findings(script) == [("WG705", "hint", 4)]
    # Ray Train's ScalingConfig(use_gpu=False) puts every training worker on the CPU
    script.write_text("import torch\nfrom ray.train import ScalingConfig\nscaling = ScalingConfig(num_workers=2, "
                      "use_gpu=False)\n")
    assert _code_findings(script) == [("WG720", "error", 3)]


def test_a_kaggle_kernel_pushed_without_a_gpu(tmp_path):
    # `kaggle kernels init` writes "enable_gpu": false; Kaggle then runs the kernel on a machine without a GPU
    meta = tmp_path / "kernel-metadata.json"
    body = ('{\n  "id": "someone/probe",\n  "title": "Probe",\n  "code_file": "probe.ipynb",\n  "language": "python",\n'
            '  "kernel_type": "notebook",\n  "enable_gpu": %s\n}\n')
    meta.write_text(body % "false")
    assert _said(meta) == [("WG732", 7)]
    for asks in ("true", '"true"'):
        meta.write_text(body % asks)
        assert _said(meta) == [], asks
    meta.write_text(body % 'false,\n  "machine_shape": "NvidiaTeslaT4"')
    assert _said(meta) == []
    # another JSON file of that name is not Kaggle's
    meta.write_text('{"name": "x"}\n')
    assert _said(meta) == []


def test_a_device_option_that_defaults_to_the_cpu(tmp_path):
    # pyro-ppl/numpyro examples/covtype.py: `--device` defaults to "cpu" and goes to numpyro.set_platform()
    script = tmp_path / "covtype.py"
    head = "import argparse\nimport numpyro\n\nparser = argparse.ArgumentParser()\n"
    script.write_text(head + 'parser.add_argument("--device", default="cpu", type=str, help=\'"cpu" or "gpu"\')\n'
                      "args = parser.parse_args()\nnumpyro.set_platform(args.device)\n")
    assert _code_findings(script) == [("WG706", "warning", 5)]
    # the GPU by default, or an option that chooses something else: nothing to say
    for fine in ('parser.add_argument("--device", default="cuda")',
                 'parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")',
                 'parser.add_argument("--offload", default="cpu")', 'parser.add_argument("--cpu", action="store_true")'):
        script.write_text("import torch\n" + head + fine + "\n")
        assert _code_findings(script) == [], fine
    script.write_text('import click\n\n@click.option("--device", default="cpu")\ndef main(device):\n    pass\n')
    assert [c for c, _, _ in _code_findings(script)] == ["WG706"]


def test_a_switch_that_turns_the_gpu_on_is_off_unless_it_is_given(tmp_path):
    # pyro's sv-dkl.py after PR #1037: `--cuda` is a store_true switch, so `python sv-dkl.py` trains on the CPU
    script = tmp_path / "sv-dkl.py"
    head = "import argparse\nimport torch\n\nparser = argparse.ArgumentParser()\n"
    script.write_text(head + "parser.add_argument('--cuda', action='store_true', default=False,\n"
                      "                    help='enables CUDA training')\nargs = parser.parse_args()\n")
    assert _code_findings(script) == [("WG706", "warning", 5)]
    report, _, _ = scan_report(RealHost(), (str(script),))
    assert report.findings[0].fix.commands == ("python sv-dkl.py --cuda",)
    # a switch that turns the GPU off, a GPU index, a switch on by default: the GPU is used as it comes
    for fine in ("parser.add_argument('--no-cuda', action='store_true')", "parser.add_argument('--gpu', type=int, default=0)",
                 "parser.add_argument('--cuda', action='store_true', default=True)"):
        script.write_text(head + fine + "\n")
        assert _code_findings(script) == [], fine
    script.write_text('import click\nimport torch\n\n@click.option("--use-gpu", is_flag=True)\ndef main(use_gpu):\n    pass\n')
    assert [c for c, _, _ in _code_findings(script)] == ["WG706"]


def test_a_device_chosen_by_a_switch_the_code_keeps_false_is_the_cpu(tmp_path):
    # PyTorchNLPBook's notebooks: `args = Namespace(cuda=False, …)`, a GPU check that can only turn it off, then the
    # device chosen by it (delip/PyTorchNLPBook#8)
    script = tmp_path / "surnames.py"
    body = ("import torch\nfrom argparse import Namespace\n\nargs = Namespace(batch_size=128, cuda=False)\n"
            "if not torch.cuda.is_available():\n    args.cuda = False\n"
            "args.device = torch.device(\"cuda\" if args.cuda else \"cpu\")\n")
    script.write_text(body)
    assert _code_findings(script) == [("WG715", "error", 7)]
    report, _, _ = scan_report(RealHost(), (str(script),))
    assert any("args.cuda, which the code sets to False" in e.fact for e in report.findings[0].evidence)
    # a switch that is on, or set to True anywhere, or a plain module-level name that is True: nothing to say
    for fine in (body.replace("cuda=False", "cuda=True"), body + "args.cuda = True\n",
                 "import torch\nuse_cuda = True\ndevice = torch.device('cuda' if use_cuda else 'cpu')\n"):
        script.write_text(fine)
        assert _code_findings(script) == [], fine
    script.write_text("import torch\nuse_cuda = False\ndevice = torch.device('cuda' if use_cuda else 'cpu')\n")
    assert _code_findings(script) == [("WG715", "error", 3)]
    # a switch set again anywhere else, by unpacking, a walrus or a loop, is no longer known
    for again in ("use_cuda, n = parse()\n", "if (use_cuda := check()):\n    pass\n", "for use_cuda in (True,):\n    pass\n"):
        script.write_text("import torch\nuse_cuda = False\n" + again +
                          "device = torch.device('cuda' if use_cuda else 'cpu')\n")
        assert _code_findings(script) == [], again


def test_a_gpu_choice_overwritten_with_the_cpu_and_a_cpu_default_replaced_by_the_gpu(tmp_path):
    script = tmp_path / "model.py"
    # EricFillion/happy-transformer before PR #145: the GPU chosen, then overwritten on the next line
    script.write_text("import torch\n\nclass Happy:\n    def __init__(self):\n"
                      "        self.gpu_support = torch.device(\"cuda\" if torch.cuda.is_available()\n"
                      "                                        else \"cpu\")\n        self.gpu_support = \"cpu\"\n")
    assert _code_findings(script) == [("WG715", "warning", 7)]
    # openpifpaf's runway model: the CPU first, the GPU when there is one: a default, a hint
    script.write_text("import torch\n\ndef setup(args):\n    args.device = torch.device('cpu')\n"
                      "    if not args.disable_cuda and torch.cuda.is_available():\n"
                      "        args.device = torch.device('cuda')\n")
    assert _code_findings(script) == [("WG715", "hint", 4)]
    # a function that may set it later is not a later line that runs (pytomography's package default)
    script.write_text("import torch\ndevice = torch.device('cpu')\n\ndef set_device(d):\n    global device\n"
                      "    device = d\n")
    assert _code_findings(script) == [("WG715", "error", 2)]


def test_a_launcher_that_names_a_later_gpu(tmp_path):
    # volcengine/verl's "1 x H100" recipe exporting CUDA_VISIBLE_DEVICES=4, the author's fifth card
    job = tmp_path / "run_1_h100.sh"
    job.write_text("set -x\nexport CUDA_VISIBLE_DEVICES=4\npython3 -m verl.trainer.main_ppo trainer.n_gpus_per_node=1\n")
    assert _said(job) == [("WG726", 2)]
    job.write_text(job.read_text().replace("=4", "=0"))
    assert _said(job) == []


def test_a_colab_notebook_that_asks_for_no_gpu_runtime(tmp_path):
    import json

    # a course notebook saved by Colab without "accelerator": "GPU" (its fix commit added it)
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
            "source": ["import tensorflow as tf\n", "model.fit(x, y, epochs=5)\n"]}
    meta = {"colab": {"name": "ResNetExample.ipynb", "provenance": []},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb = tmp_path / "resnet.ipynb"
    nb.write_text(json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 0}, indent=1))
    assert [(c, s) for c, s, _ in _code_findings(nb)] == [("WG707", "warning")]
    for asked in ({"accelerator": "GPU"}, {"accelerator": "TPU"}, {"gpuClass": "standard"}):
        nb.write_text(json.dumps({"cells": [cell], "metadata": {**meta, **asked}, "nbformat": 4, "nbformat_minor": 0}))
        assert _code_findings(nb) == [], asked
    # not saved by Colab, or no framework in it: nothing to say
    nb.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": meta["kernelspec"]}, "nbformat": 4,
                              "nbformat_minor": 0}))
    assert _code_findings(nb) == []
    cell["source"] = ["import pandas as pd\n"]
    nb.write_text(json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 0}))
    assert _code_findings(nb) == []


def test_a_service_that_says_it_wants_the_gpu_needs_a_reservation(tmp_path):
    # the image is the project's own (its Dockerfile not scanned), but the service tells the program to use CUDA, names
    # GPUs for the NVIDIA runtime, builds a Dockerfile named for the GPU or passes --gpus to the program (label-studio
    # ML backends, PipeRT#40, Generative_Deep_Learning's docker-compose-gpu.yml): none of them reserves a GPU
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n"
                       "  seg:\n    build: .\n    environment:\n      - DEVICE=cuda\n"
                       "  pipe:\n    build:\n      context: .\n    environment:\n      NVIDIA_VISIBLE_DEVICES: all\n"
                       "  app:\n    build:\n      context: .\n      dockerfile: Dockerfile-gpu\n"
                       "  cmd:\n    build: .\n    command:\n      - '--gpus all'\n"
                       "  web:\n    build: .\n    environment:\n      - DEVICE=cpu\n")
    report, _, _ = scan_report(RealHost(), (str(compose),))
    said = [(f.code, f.severity, f.location.line) for f in report.findings]
    assert said == [("WG728", Severity.WARNING, line) for line in (2, 6, 11, 15)]  # each service's own line


def test_a_service_that_wants_the_gpu_and_reserves_it_is_clean(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  seg:\n    build: .\n    environment:\n      - DEVICE=cuda\n"
                       "    deploy:\n      resources:\n        reservations:\n          devices:\n"
                       "            - driver: nvidia\n              count: 1\n              capabilities: [gpu]\n")
    assert _said(compose) == []


def test_a_tensorflow_image_of_a_cpu_only_release_holds_no_cuda_build(tmp_path):
    # the plain tensorflow before 1.15 was the CPU build (release notes): tensorflow/tensorflow:1.14.0-py3 has no CUDA
    # build waiting for CUDA libraries, so WG724 has nothing to say of it; a 2.x tag's tensorflow is a CUDA build
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM tensorflow/tensorflow:1.14.0-py3\nRUN pip install keras\n")
    report, _, _ = scan_report(RealHost(), (str(docker),))
    assert not [f for f in report.findings if f.code == "WG724"]
    docker.write_text("FROM tensorflow/tensorflow:2.12.0\nRUN pip install keras\n")
    report, _, _ = scan_report(RealHost(), (str(docker),))
    assert [f.code for f in report.findings if f.code == "WG724"] == ["WG724"]


def test_a_tensorflow_image_of_a_cpu_only_release_is_the_cpu_build(tmp_path):
    # deepcell-tf before PR #281 and kubeflow-labs before PR #42 (tests/scan_corpus/dev/190, 214) started from such
    # tags; the GPU images of those releases carry "-gpu" after the release (1.14.0-gpu-py3)
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM tensorflow/tensorflow:1.14.0-py3\nRUN pip install keras\n")
    report, _, _ = scan_report(RealHost(), (str(docker),))
    [f] = [f for f in report.findings if f.code == "WG721"]
    assert (f.severity, f.category, f.location.line) == (Severity.WARNING, "cpu_only_package", 1)
    assert f.fix.commands == ("FROM tensorflow/tensorflow:1.14.0-gpu-py3",)
    # a GPU tag, a 2.x tag (WG724's: a CUDA build without CUDA libraries), or tensorflow-gpu installed over it: no
    for text in ("FROM tensorflow/tensorflow:1.14.0-gpu-py3\n", "FROM tensorflow/tensorflow:2.12.0\n",
                 "FROM tensorflow/tensorflow:1.4.0\nRUN pip install tensorflow-gpu==1.4.0\n"):
        docker.write_text(text)
        report, _, _ = scan_report(RealHost(), (str(docker),))
        assert not [f for f in report.findings if f.code == "WG721"], text
    # named for the GPU, it is an error
    gpu = tmp_path / "Dockerfile.gpu"
    gpu.write_text("FROM tensorflow/tensorflow:1.4.0\nCOPY train.py /app/\n")
    report, _, _ = scan_report(RealHost(), (str(gpu),))
    assert [(f.code, f.severity) for f in report.findings] == [("WG721", Severity.ERROR)]


def test_a_gpu_requirements_list_with_tensorflow_but_no_cuda_libraries(tmp_path):
    # TensorFlow's pip install page: from 2.14 the GPU install on Linux is `pip install tensorflow[and-cuda]`; plain
    # `tensorflow` loads CUDA and cuDNN from the system (frischHWC/cml-experiences fixed its GPU test that way)
    gpu = tmp_path / "requirements-gpu.txt"
    gpu.write_text("numpy\ntensorflow==2.17.0\n")
    report, _, _ = scan_report(RealHost(), (str(gpu),))
    [f] = report.findings
    assert (f.code, f.severity, f.category, f.location.line) == ("WG724", Severity.WARNING, "cuda_libs_missing", 2)
    assert f.fix.commands == ("tensorflow[and-cuda]==2.17.0",)
    # with the extra, or a list not named for the GPU, or a release before [and-cuda] existed (system CUDA was the
    # documented way), or a Dockerfile beside it whose image brings CUDA: nothing
    for name, text in (("requirements-gpu.txt", "tensorflow[and-cuda]==2.17.0\n"), ("requirements.txt", "tensorflow==2.17.0\n"),
                       ("requirements-gpu.txt", "tensorflow-gpu==2.4.0\n"), ("requirements-gpu.txt", "tensorflow==2.12.0\n")):
        path = tmp_path / name
        path.write_text(text)
        report, _, _ = scan_report(RealHost(), (str(path),))
        assert not [f for f in report.findings if f.code == "WG724"], (name, text)
    gpu.write_text("tensorflow==2.17.0\n")
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04\nCOPY requirements-gpu.txt .\n"
                      "RUN pip install -r requirements-gpu.txt\n")
    report, _, _ = scan_report(RealHost(), (str(gpu), str(docker)))
    assert not [f for f in report.findings if f.code == "WG724"]


def test_a_branch_a_switch_in_the_file_picks_runs_every_time(tmp_path):
    # uvadlc_notebooks' JAX tutorial: `USE_CPU_ONLY = True`, then the GPU hidden under `if USE_CPU_ONLY:`; the GPU
    # path is reached only once the reader edits the switch
    script = tmp_path / "tutorial.py"
    body = ('import os\nUSE_CPU_ONLY = True\nif USE_CPU_ONLY:\n    os.environ["CUDA_VISIBLE_DEVICES"] = ""\nelse:\n'
            '    os.environ["XLA_FLAGS"] = "--xla_gpu_enable_triton_softmax_fusion=true"\nimport jax\n')
    script.write_text(body)
    assert _code_findings(script) == [("WG701", "error", 4)]
    # switched off, the line runs only when someone asks for the CPU by editing it: a hint, as for any CPU option
    script.write_text(body.replace("= True", "= False"))
    assert _code_findings(script) == [("WG701", "hint", 4)]
