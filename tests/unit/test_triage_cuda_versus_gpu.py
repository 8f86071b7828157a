"""A CUDA older than the GPU (knowledge/cuda_first_for_arch.csv), and a CUDA newer than the TensorFlow build."""

from __future__ import annotations

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.facts.report import TriageFacts
from whynogpu.knowledge import table, version_key
from whynogpu.triage.engine import snapshot

DOCKERFILE = """\
AlphaFold's image does not run on my new RTX 4090; something between the image's CUDA and jax.
```
ARG CUDA=11.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu18.04
RUN conda install -y -c conda-forge openmm=7.7.0 cudatoolkit==${CUDA_VERSION} pip python=3.8
```
"""


def test_every_architecture_row_names_a_cuda_and_a_source():
    rows = table("cuda_first_for_arch")
    assert rows and all(r["source"].startswith("https://") for r in rows)
    # a newer architecture never needs an older CUDA than an older one does
    ordered = sorted(rows, key=lambda r: version_key(r["compute_capability"]))
    assert [version_key(r["first_cuda"]) for r in ordered] == sorted(version_key(r["first_cuda"]) for r in ordered)


def test_a_dockerfile_base_image_named_through_an_arg_gives_its_cuda():
    facts = snapshot(DOCKERFILE).get(TriageFacts)
    assert "11.1" in [s.value for s in facts.all("cuda")]


def test_jax_on_a_cuda_older_than_its_gpu_is_a_gpu_the_build_cannot_compile_for():
    report = triage(DOCKERFILE)
    assert report.verdict.root_cause == "compute_capability_unsupported"
    assert "11.8" in " ".join(e.fact for e in report.findings[0].evidence)


def test_jax_with_its_pip_cuda_wheels_brings_its_own_ptxas():
    text = DOCKERFILE + "\nInside the image I then ran: pip install -U \"jax[cuda12]\"\n"
    assert "compute_capability_unsupported" not in [c.category for c in triage(text).candidates]


def test_a_slow_first_batch_on_a_gpu_newer_than_the_tensorflow_build():
    # TensorFlow 1.4 is built with CUDA 8.0 (tensorflow_releases.csv); Volta (7.0) came with CUDA 9.0
    text = ("Keras on TensorFlow 1.4 (the tensorflow/tensorflow:1.4.0-gpu-py3 image): on a Tesla V100 the first batch "
            "is very slow, minutes, while on a K80 it takes two seconds.")
    assert triage(text).verdict.root_cause == "compute_capability_unsupported"
    assert triage(text.replace("Tesla V100", "Tesla P100")).verdict.root_cause != "compute_capability_unsupported"


def test_ptxas_that_does_not_know_the_gpu():
    line = ("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: ptxas exited with non-zero error code 65280, output: "
            "ptxas fatal   : Value 'sm_89' is not defined for option 'gpu-name'")
    assert triage(line).verdict.root_cause == "compute_capability_unsupported"
    # TensorFlow says it falls back to the driver: slower compilation, the GPU still used (tensorflow/serving#1821)
    fallback = ("2021-02-27 01:33:51.779607: W external/org_tensorflow/tensorflow/stream_executor/gpu/asm_compiler.cc:235]"
                " Your CUDA software stack is old. We fallback to the NVIDIA driver for some compilation. Update your "
                "CUDA version to get the best performance. The ptxas error was: ptxas fatal   : Value 'sm_86' is not "
                "defined for option 'gpu-name'")
    assert [m.id for m in snapshot(fallback).get(TriageFacts).log] == ["tf_ptxas_fallback"]


def test_the_newest_cuda_with_a_tensorflow_that_cannot_load_it():
    text = ("Windows 10, Anaconda with Python 3.6, tensorflow-gpu. For CUDA I took the latest release NVIDIA offers.\n"
            "```\nImportError: DLL load failed: The specified module could not be found.\n```")
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"
    assert triage(text.replace(" For CUDA I took the latest release NVIDIA offers.", "")).verdict.root_cause != \
        "cuda_version_mismatch"


# TensorFlow 1.x's own lines (lower case, as cuda_dnn.cc printed them then), from tensorflow/tensorflow#17950's format
TF1_CUDNN = """\
2018-03-23 11:55:55.959752: E tensorflow/stream_executor/cuda/cuda_dnn.cc:385] could not create cudnn handle: CUDNN_STATUS_NOT_INITIALIZED
2018-03-23 11:55:55.959970: E tensorflow/stream_executor/cuda/cuda_dnn.cc:393] possibly insufficient driver version: 384.69.0
"""


def test_tensorflow_1_lower_case_cudnn_lines_are_tensorflows_and_name_the_driver():
    facts = snapshot(TF1_CUDNN).get(TriageFacts)
    assert [m.id for m in facts.log] == ["tf_cudnn_handle", "tf_insufficient_driver_cudnn"]
    assert triage(TF1_CUDNN).verdict.root_cause == "driver_too_old"


def test_a_version_written_after_a_colon_is_read():
    text = ("- NVIDIA driver: 390.116\n- TF: v1.13.1-0-g6612da8951 (pip3)\n- CUDA 10.0\n"
            "Creating a tf.Session() hangs the whole machine.")
    facts = snapshot(text).get(TriageFacts)
    assert facts.first("tf_version").value == "1.13.1"
    top = triage(text).findings[0]
    assert (top.code, top.category) == ("WG308", "driver_too_old")  # check's own rule: 390 runs CUDA 9.1


def test_a_jax_plugin_of_another_release_than_jaxlib():
    # jaxlib/plugin_support.py's warning, broken over two lines as a report may show it
    text = ("After a clean install (jax==0.9.0.1 with the [cuda12] extra) GPU code fails. On start JAX prints:\n```\n"
            "RuntimeWarning: JAX plugin jax_cuda12_plugin version 0.9.2 is installed,\n"
            "but it is not compatible with the installed jaxlib version 0.9.0.1\n```")
    report = triage(text)
    assert report.verdict.root_cause == "package_conflict"
    # the message's other reading is titled for JAX, the framework that printed it
    titles = [f.title for f in report.findings if f.category == "cpu_only_package" and f.code == "WG827"]
    assert titles and all("TensorFlow" not in t and "JAX" in t for t in titles)


def test_a_framework_that_sees_no_gpu_gets_the_fix_of_the_layer_its_messages_name():
    text = ("Ubuntu 22.04, pip install -U \"jax[cuda12]\". My module system sets LD_LIBRARY_PATH:\n```\n"
            "export LD_LIBRARY_PATH=/usr/local/cuda-12.1/lib64:$LD_LIBRARY_PATH\n```\n```\n>>> import jax\n"
            ">>> jax.devices()\nRuntimeError: Unable to load cuSPARSE. Is it installed?\n```")
    report = triage(text)
    top = report.findings[0]
    assert report.verdict.root_cause == "system_libs_shadow_pip_libs"
    assert top.code == "WG502"  # the symptom's finding carries the cause's own fix, not only "re-run the check"
    assert "LD_LIBRARY_PATH" in top.fix.text and "# whynogpu explain WG307" in top.fix.commands


CANNOT_DLOPEN = ("2024-04-01 10:00:00.123456: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen "
                 "some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if "
                 "you would like to use GPU.\nSkipping registering GPU devices...\n")


def test_the_cuda_nvidia_smi_prints_is_the_drivers_not_an_installed_toolkit():
    text = "Ubuntu 22.04, pip install tensorflow==2.16.1 in a venv. nvidia-smi works (driver 550.54, CUDA 12.4).\n"
    facts = snapshot(text).get(TriageFacts)
    assert [s.value for s in facts.all("smi_cuda")] == ["12.4"] and not facts.all("cuda")
    top = triage(text + CANNOT_DLOPEN).findings[0]
    # no copy of the libraries is claimed: nothing in the report says a toolkit is installed
    assert (top.code, top.category) == ("WG301", "cuda_libs_missing")
    # 2.16 does not look in the wheels of its own [and-cuda] extra (tensorflow_pip_cuda.csv): a later release does
    assert top.fix.commands[-1].endswith("install -U 'tensorflow[and-cuda]'")


def test_a_toolkit_the_reporter_installed_is_placed_by_assumption_and_says_so():
    text = ("Ubuntu 22.04, TensorFlow 2.15.0, I installed the CUDA toolkit 12.2 from NVIDIA's runfile.\n" +
            "2024-01-10 10:00:00.000000: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] "
            "Could not load dynamic library 'libcudart.so.12'; dlerror: libcudart.so.12: cannot open shared object "
            "file: No such file or directory\n" + CANNOT_DLOPEN)
    top = triage(text).findings[0]
    assert top.code == "WG305"
    placed = next(e for e in top.evidence if e.fact.startswith("they are installed in"))
    assert "as stated" in placed.source and "default folder" in placed.source


def test_xla_without_libdevice_or_ptxas_is_missing_cuda_tools():
    libdevice = ("TensorFlow 2.11, Ubuntu 22.04. fit() fails:\n2022-11-24 23:30:48.000000: W tensorflow/compiler/xla/"
                 "service/gpu/nvptx_helper.cc:56] Can't find libdevice directory ${CUDA_DIR}/nvvm/libdevice. This may "
                 "result in compilation or runtime failures\ntensorflow.python.framework.errors_impl.InternalError: "
                 "libdevice not found at ./libdevice.10.bc [Op:__inference_train_function_512]")
    assert triage(libdevice).verdict.root_cause == "cuda_libs_missing"
    ptxas = ("2023-02-01 19:08:39.849007: W external/org_tensorflow/tensorflow/compiler/xla/stream_executor/gpu/"
             "asm_compiler.cc:85] Couldn't get ptxas version string: INTERNAL: Couldn't invoke ptxas --version\n"
             "2023-02-01 19:08:39.849939: F external/org_tensorflow/tensorflow/compiler/xla/service/gpu/"
             "nvptx_compiler.cc:454] ptxas returned an error during compilation of ptx to sass: 'INTERNAL: Failed to "
             "launch ptxas'  If the error message indicates that a file could not be written, please verify that "
             "sufficient filesystem space is provided.\nAborted")
    assert triage(ptxas).verdict.root_cause == "cuda_libs_missing"


def test_cudnn_launch_failure_and_a_stated_cudnn_the_release_needs():
    assert triage("tensorflow-gpu 1.5, Windows 10, CUDA 9.0:\n    cuDNN launch failure : input shape "
                  "([1,300,400,64])").verdict.root_cause == "cudnn_version_mismatch"
    text = ("tensorflow 2.8.0, cuDNN 8.1.1, CUDA 11.2. The first convolution fails:\n    Node: 'conv2d/Conv2D'\n"
            "    DNN library is not found.\n")
    assert triage(text).verdict.root_cause == "libs_not_on_path"  # 2.8 was built with cuDNN 8: installed, not found
    assert triage(text.replace("cuDNN 8.1.1, ", "")).verdict.root_cause == "cudnn_missing"


def test_a_report_is_not_said_to_have_listed_its_gpus():
    # an import that failed lists nothing: the evidence says what the report's output shows
    text = ("Windows 10, tensorflow-gpu 1.12, CUDA 9.0:\n```\nImportError: Could not find 'cudart64_90.dll'. TensorFlow "
            "requires that this DLL be installed in a directory that is named in your %PATH% environment variable.\n```")
    facts = [e.fact for f in triage(text).findings if f.code == "WG502" for e in f.evidence]
    assert facts and not any("lists 0 GPUs" in x for x in facts)


def test_a_gpu_below_every_known_build_of_the_named_framework():
    # GTX 680 is compute capability 3.0; every TensorFlow release with a known architecture list starts at 3.5
    text = "DeepFaceLab only uses the CPU on Windows 10 with a GeForce GTX 680. CUDA 9 is installed.\n"
    report = triage(text)
    assert report.verdict.root_cause == "compute_capability_unsupported"
    assert "3.5" in report.findings[0].evidence[0].fact
    newer = triage(text.replace("GTX 680", "GTX 1080"))  # 6.1: inside every list
    assert newer.verdict.root_cause != "compute_capability_unsupported"
