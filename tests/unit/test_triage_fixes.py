"""Fix commands of triage findings are built from the report's own facts (versions, variables, command lines)."""

from __future__ import annotations

from whynogpu.triage.engine import triage


def _fix(text: str, code: str) -> tuple[str, ...]:
    report = triage(text)
    found = [f for f in report.findings if f.code == code]
    assert found, [f.code for f in report.findings]
    return found[0].fix.commands


def test_tf_version_seen_is_pinned_in_the_and_cuda_install():
    text = ("Package                      Version\n---------------------------- -------\n"
            "tensorflow                   2.15.1\n"
            "2024-01-10 10:00:00.000000: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] "
            "Could not load dynamic library 'libcudart.so.12'; dlerror: libcudart.so.12: cannot open shared object "
            "file: No such file or directory\n")
    assert "pip install 'tensorflow[and-cuda]==2.15.1'" in _fix(text, "WG805")


def test_tf_series_without_patch_is_pinned_to_the_series():
    text = ("### TensorFlow version\n2.16\n"
            "W0000 00:00:1710000000.000000  1234 gpu_device.cc:2256] Cannot dlopen some GPU libraries. Please make sure "
            "the missing libraries mentioned above are installed properly if you would like to use GPU.\n")
    cmds = [c for code in ("WG805", "WG810") for f in triage(text).findings if f.code == code for c in f.fix.commands]
    assert "pip install 'tensorflow[and-cuda]==2.16.*'" in cmds


def test_cudnn_the_build_was_compiled_with():
    text = ("TensorFlow version: 2.13.0\n2023-08-01 12:00:00.000000: E tensorflow/compiler/xla/stream_executor/cuda/"
            "cuda_dnn.cc:425] Loaded runtime CuDNN library: 8.5.0 but source was compiled with: 8.6.0.  CuDNN library "
            "needs to have matching major version and equal or higher minor version.\n")
    assert "pip install 'nvidia-cudnn-cu11==8.6.*'" in _fix(text, "WG807")


def test_driver_too_old_gives_the_cuda_the_driver_runs_and_a_torch_build_for_it():
    text = ("RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU "
            "driver by downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx "
            "Alternatively, go to: https://pytorch.org to install a PyTorch version that has been compiled with your "
            "version of the CUDA driver.\n")
    cmds = _fix(text, "WG803")
    assert any("CUDA 11.4" in c for c in cmds)
    assert "pip install torch --index-url https://download.pytorch.org/whl/cu118" in cmds[-1]


def test_driver_too_old_with_torch_variant_and_driver_seen():
    text = ("torch version: 2.1.0+cu121\n"
            "| NVIDIA-SMI 470.199.02   Driver Version: 470.199.02   CUDA Version: 11.4     |\n"
            "UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040).\n")
    cmds = _fix(text, "WG803")
    assert "525.60.13" in cmds[0] and "470.199.02" in cmds[0]
    assert any("whl/cu118" in c for c in cmds)


def test_cuda_visible_devices_value_seen_in_code():
    text = ('import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\nimport tensorflow as tf\n'
            "print(tf.config.list_physical_devices('GPU'))\n[]\n")
    cmds = _fix(text, "WG820")
    assert cmds[0].startswith("# delete line 2 of the code") and "'-1' (line 2)" in cmds[1]


def test_docker_line_seen_gets_gpus_all():
    text = ("$ sudo docker run -it --rm -p 8888:8888 tensorflow/tensorflow:latest-gpu-jupyter\n"
            "2023-02-01 10:00:00.000000: E tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:267] failed "
            "call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected\n")
    assert _fix(text, "WG819") == ("sudo docker run --gpus all -it --rm -p 8888:8888 "
                                   "tensorflow/tensorflow:latest-gpu-jupyter",)


def test_conflict_uninstalls_the_variants_seen_and_reinstalls_the_version():
    text = "tensorflow        2.15.0\ntensorflow-gpu    2.12.0\n"
    assert _fix(text, "WG813") == ("pip uninstall -y tensorflow tensorflow-gpu",
                                   "pip install 'tensorflow[and-cuda]==2.15.0'")
    # before [and-cuda] existed (TF < 2.14) the release's CUDA/cuDNN are named instead
    old = _fix("tensorflow        2.12.0\ntensorflow-gpu    2.12.0\n", "WG813")
    assert old[1] == "# TensorFlow 2.12.0 was built for CUDA 11.8 and cuDNN 8.6: install those"


def test_without_facts_the_generic_fix_stays():
    text = "AssertionError: Torch not compiled with CUDA enabled\n"
    from whynogpu.rules.triage import SPECS

    static = next(tuple(spec[6]) for spec in SPECS if spec[0] == "WG812")  # the rule's own commands
    assert _fix(text, "WG812") == static
    assert "pip install torch --index-url" in _fix(text, "WG812")[0]


def test_driver_below_the_build_minimum_ranks_driver_too_old():
    text = ("torch version: 2.4.1+cu124\n"
            "| NVIDIA-SMI 470.199.02   Driver Version: 470.199.02   CUDA Version: 11.4     |\n"
            ">>> torch.cuda.is_available()\nFalse\n")
    assert triage(text).verdict.root_cause == "driver_too_old"
    ok = text.replace("470.199.02", "550.54.14").replace("11.4", "12.4")
    assert "driver_too_old" not in {c.category for c in triage(ok).candidates}


def test_pip_wheels_not_found_upgrades_instead_of_reinstalling_the_same_release():
    text = ("Package                      Version\n---------------------------- -------\n"
            "nvidia-cublas-cu12           12.3.4.1\nnvidia-cudnn-cu12            8.9.7.29\n"
            "tensorflow                   2.16.1\n"
            "2024-03-09 19:15:51.214977: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen some "
            "GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you "
            "would like to use GPU.\n")
    cmds = _fix(text, "WG810")
    assert "pip install -U 'tensorflow[and-cuda]'" in cmds
    assert not any("==2.16.1" in c for c in cmds)
    assert any(c.startswith("export LD_LIBRARY_PATH=") and "nvidia.__path__" in c for c in cmds)


def _driver_too_old(text: str):
    return [f for f in triage(text).findings if f.code == "WG803"]


def test_plain_pypi_torch_is_judged_by_its_release_default_cuda():
    # torch 1.3's untagged Linux wheel is built for CUDA 10.1 (minimum driver 418.39); the driver is in prose
    text = ("$ pip install torch==1.3.0\n>>> torch.cuda.is_available()\nFalse\n"
            "Ubuntu 18.04. nvidia-smi says my driver is 410.48.\n")
    found = _driver_too_old(text)
    assert found and any("418.39" in e.fact and "CUDA 10.1" in e.fact for e in found[0].evidence)
    assert triage(text).verdict.root_cause == "driver_too_old"
    # from CUDA 11 on a driver of the major's minimum is enough (minor-version compatibility)
    assert not _driver_too_old("pip list\ntorch 2.1.0\nhost driver 530.30.02\n")
    assert _driver_too_old("pip list\ntorch 2.1.0\nhost driver 470.82.01\n")


def test_default_wheel_is_not_assumed_where_it_is_not_the_plain_pypi_one():
    driver = "Driver version: 410.48\n"
    assert not _driver_too_old("OS: Windows 10\n$ pip install torch==1.3.0\n" + driver)  # Windows: CPU wheel
    assert not _driver_too_old("# packages in environment\npytorch 1.3.0 py3.7_cuda9.2.148_cudnn7.6.3_0 pytorch\n"
                               + driver)  # conda's own build
    assert not _driver_too_old("$ pip install torch==1.3.0+cpu\n" + driver)  # a tagged CPU wheel


def test_torch_version_cuda_printed_by_the_user_sets_the_minimum_driver():
    text = ">>> torch.version.cuda\n'10.2'\nDriver Version: 418.87.01\n"
    found = _driver_too_old(text)
    assert found and any("440.33" in e.fact for e in found[0].evidence)  # CUDA 10.2's own minimum


def test_the_exact_soname_on_disk_makes_it_a_path_problem_not_a_version_one():
    log = ("TF 2.4, CUDA 11.1 installed.\n"
           "2021-01-31 10:12:45.603518: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
           "dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such "
           "file or directory\n")
    found = "$ sudo find / -name 'libcudart.so*'\n/usr/local/cuda-11.1/targets/x86_64-linux/lib/libcudart.so.11.0\n"
    assert triage(log + found).verdict.root_cause == "libs_not_on_path"
    # CUDA 11.1 is not another version to a build that asks for libcudart.so.11.0: every 11.x has that name
    assert triage(log).verdict.root_cause != "cuda_version_mismatch"
    # but CUDA 10.2 is, and so is 12.x to an 11.0 build
    assert triage(log.replace("CUDA 11.1", "CUDA 10.2")).verdict.root_cause == "cuda_version_mismatch"
    assert triage(log.replace("CUDA 11.1", "CUDA 12.2")).verdict.root_cause == "cuda_version_mismatch"


def test_a_message_quoted_in_a_title_is_the_reporters_words_and_a_pasted_one_is_program_output():
    from whynogpu.triage.extract import extract

    msg = ("2021-01-13 09:52:17.380112: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
           "dynamic library 'libcusolver.so.10'; dlerror: libcusolver.so.10: cannot open shared object file: No such "
           "file or directory")
    text = f"Could not load dynamic library 'libcusolver.so.10' on a new box\n\nI get this:\n\n```\n{msg}\n```\n"
    f = extract(text)
    assert [m.line for m in f.log if m.id == "tf_dlopen_cuda_lib"] == [1, 6]
    assert f.prose_log_lines == (1,)  # the title; line 6 is inside the fence
    unfenced = extract(msg + "\n    " + msg.split("] ", 1)[1] + "\n")
    assert unfenced.prose_log_lines == ()  # a timestamped line, and an indented one, are printed output


def test_a_soname_the_installed_cuda_does_not_have_is_a_version_mismatch():
    # TF 2.4 was built for CUDA 11.0, whose cuSOLVER is libcusolver.so.10; every later 11.x ships .so.11
    text = ("Setup: CUDA 11.2 toolkit, tensorflow 2.4 from pip. The file is there, LD_LIBRARY_PATH is set.\n```\n"
            "2021-01-13 09:52:17.380112: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
            "dynamic library 'libcusolver.so.10'; dlerror: libcusolver.so.10: cannot open shared object file: No such "
            "file or directory; LD_LIBRARY_PATH: /usr/local/cuda-11.2/lib64\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cuda_version_mismatch"
    top = report.findings[0]
    assert any("has no libcusolver.so.10" in e.fact for e in top.evidence)
    assert triage(text.replace("CUDA 11.2", "CUDA 11.0")).verdict.root_cause != "cuda_version_mismatch"
