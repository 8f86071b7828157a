"""Read a pasted report line by line into TriageFacts.

One pass, a handful of cheap checks per line (linear in size). Formats understood:
framework logs (via parsers.logs), issue-template fields ("TensorFlow version: 2.15",
"### OS platform and distribution" + value), torch collect_env, tf_env_collect,
jax.print_environment_info, nvidia-smi (table header, memory column), nvcc --version,
/proc/driver/nvidia/version, ldconfig -p, pip list / pip freeze / pip show / conda list,
docker run lines, environment assignments in shell or Python, REPL answers
(`torch.cuda.is_available()` → False) and free-text cues.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from itertools import islice, takewhile

from whynogpu.facts.gpu import PciDevice
from whynogpu.facts.report import Cue, ListedPackage, StatedFact, TriageFacts
from whynogpu.knowledge import image_row
from whynogpu.lint.compose import DRIVER_CAPS
from whynogpu.parsers import cpu_options
from whynogpu.parsers.logs import LogMatch, match_line, message_span
from whynogpu.parsers.logs import rows as log_rows
from whynogpu.parsers.lspci import kernel_driver, parse_lspci_line
from whynogpu.triage import cues as cue_table
from whynogpu.triage.literals import Filtered, LineIndex, guarded, lowered, passes, required
from whynogpu.triage.source import ReportText

MAX_LINES = 400_000  # a 50 MB paste is cut here; the evidence that matters is never that deep alone
BLOCK = 20_000  # lines indexed at a time
PIECE = 1000  # characters of a line read at once (see _pieces)
REPEATS = 1  # a fact (same message, same value) is kept once: repeating a line adds no evidence

_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)*(?:[-+.]?(?:rc|a|b|dev|post)\d*)?(?:\+\w+)?")
# (a diagnostic script's own marks may lead a field: "🔧 Torch CUDA Available: True", "✅ cuDNN version: 8902")
_FIELD = re.compile(r"^\s*(?:[-*•>]\s*|[^\w\s`'\"(\[<|#$]{1,3}\s*)?(?:\*\*)?(?P<key>[A-Za-z][\w /().+-]{1,50}?)(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*"
                    r"(?P<val>\S.*)$")
_HEADING = re.compile(r"^\s*#{2,6}\s*(?P<key>[A-Za-z][\w /().+-]{1,60}?)\s*$")

# Issue-template / collect_env keys → fact key. Values of keys marked True are program output.
_KEYS: tuple[tuple[re.Pattern, str, bool], ...] = tuple((re.compile("(?:" + k + r")(?:\s*\([^)]*\))?$", re.I), v, p) for k, v, p in (
    (r"(tensorflow|tensor flow|tf)(-gpu|-cpu)? version|tensorflow(-gpu|-cpu)?", "tf_version", False),
    (r"(pytorch|torch) version|pytorch|torch", "torch_version", False),
    (r"jax version|jax", "jax_version", False),
    (r"jaxlib version|jaxlib", "jaxlib_version", False),
    (r"keras version|keras", "keras_version", False),
    (r"os platform and distribution|os|operating system|platform|platform information|system|distro|os version|"
     r"operating system version", "os", False),
    (r"python version|python", "python", False),
    (r"cuda/cudnn version|cuda / cudnn version|cuda/cudnn", "cuda_cudnn", False),
    (r"cuda version|cuda|cuda toolkit|cuda toolkit version", "cuda", False),
    (r"cudnn version|cudnn", "cudnn", False),
    (r"gpu model and memory|gpu|gpus?|graphics card|gpu model|hardware|gpu \d+", "gpu", False),
    (r"nvidia driver version|driver version|driver|nvidia driver", "driver", False),
    (r"tensorflow installed from|installed from|install method", "installed_from", False),
    (r"is cuda available|(?:torch |pytorch )?cuda (?:is )?available", "torch_cuda_available", True),
    (r"cuda used to build pytorch", "torch_build_cuda", True),
    (r"cuda runtime version", "nvcc_cuda", True),
    (r"gpu models and configuration", "gpu", True),
    (r"cudnn version", "cudnn", False),
))
_VERSIONED = {"tf_version", "torch_version", "jax_version", "jaxlib_version", "keras_version", "python", "cuda",
              "cudnn", "driver", "nvcc_cuda", "torch_build_cuda"}

_RELEVANT = re.compile(r"^(tensorflow[\w-]*|tf[-_]nightly[\w-]*|tf[-_]keras|intel[-_]tensorflow|torch\w*|pytorch[\w-]*|"
                       r"jax|jaxlib|jax[-_]cuda\d+[-_](?:plugin|pjrt)|keras[\w-]*|nvidia[-_][\w-]+|cuda[\w-]*|cudnn|"
                       r"cudatoolkit|tensorrt[\w-]*|cupy[\w-]*)$", re.I)
# Every name _RELEVANT accepts starts with one of these: a cheap test before the package-line regexes.
_RELEVANT_START = ("tensorflow", "tf-", "tf_", "intel", "torch", "pytorch", "jax", "keras", "nvidia", "cuda", "cudnn",
                   "tensorrt", "cupy")
_PIP_LIST = re.compile(r"^\s*(?P<name>[A-Za-z0-9][\w.-]*)\s+(?P<ver>\d[\w.!+-]*)(?:\s+(?P<build>\S+))?(?:\s+(?P<ch>\S+))?\s*$")
# `pip list` before pip 10 (its "legacy" format): "tensorflow-gpu (1.3.0)", "torch (1.0.0, /home/u/src/torch)"
_PIP_LIST_LEGACY = re.compile(r"^\s*(?P<name>[A-Za-z0-9][\w.-]*) \((?P<ver>\d[\w.!+-]*)(?:, [^)]*)?\)\s*$")
_PIP_FREEZE = re.compile(r"^\s*(?P<name>[A-Za-z0-9][\w.-]*)\s*==\s*(?P<ver>\d[\w.!+-]*)\s*$")
_PIP_SHOW = re.compile(r"^Name:\s*(?P<name>\S+)\s*$")
# conda's transaction plan: "  pytorch   pytorch/linux-64::pytorch-1.8.1-py3.9_cpu_0" (NEW packages will be
# INSTALLED) and "  pytorch-0.4.1  |py36_cuda9.0.176_cudnn7.1.2_1   463.8 MB  pytorch" (will be downloaded)
_UV_REMOVED = re.compile(r"- [\w.-]+==[\w.+!-]+")  # uv's "- nvidia-cudnn-cu12==9.5.1.17": a package it removed
_CONDA_PLAN = re.compile(r"^\s*(?P<name>[A-Za-z0-9][\w.-]*)\s+(?:[\w./-]+::)(?P=name)-(?P<ver>\d[\w.!]*)-(?P<build>\S+)\s*(?:\S+\s*)?$|"
                         r"^\s*(?P<name2>[A-Za-z0-9][\w.-]*?)-(?P<ver2>\d[\w.!]*)\s*\|\s*(?P<build2>\S+)\s+\d[\d.]* [KMG]B\b")
_INSTALLED_TOKEN = re.compile(r"^(?P<name>[A-Za-z0-9][\w.]*(?:-[A-Za-z][\w.]*)*)-(?P<ver>\d[\w.!+]*)$")

# R610 and later: KMD / CUDA UMD; before R410 the header names no CUDA version at all
_SMI_HEADER = re.compile(r"NVIDIA-SMI\s+(?P<smi>[\d.]+)\s+(?:Driver|KMD) Version:\s*(?P<driver>[\d.]+)(?:\s+"
                         r"CUDA (?:UMD )?Version:\s*(?P<cuda>[\d.]+|N/A))?")
_NO_MODULE = re.compile(r"(?:ImportError|ModuleNotFoundError): No module named ['\"]?(?P<v>[\w.]+)")
# (guarded: behind a lookahead for how every match starts, literals.guarded; the same matches, found faster in long
# lines, where the engine would otherwise try each alternative at every position)
# (also as a person retells the column: "7879MiB of 8114MiB memory used")
_SMI_MEMORY = guarded(re.compile(r"\b(?P<used>\d+) ?MiB\s*(?:/|of|out of)\s*(?P<total>\d+) ?MiB"))
# The row's last column, after GPU-Util: the compute mode ("E. Thread" in old drivers' tables).
_SMI_MODE = re.compile(r"(?:\d+|N/A)%\s+(?P<mode>Default|E\. Process|E\. Thread|Prohibited)\s*\|")
# A Dockerfile's build argument with its default (ARG CUDA=11.1.1), and a use of one (${CUDA} or $CUDA)
_DOCKER_ARG = re.compile(r"ARG\s+(?P<name>[A-Za-z_]\w*)=(?P<value>\S+)")
_DOCKER_VAR = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")
# The first row of a GPU in nvidia-smi's table: its index and name, then persistence mode (TCC/WDDM on Windows)
_SMI_NAME = re.compile(r"^\|\s+(?P<i>\d+)\s+(?P<name>\S.*?)\s+(?:On|Off|WDDM|TCC)\s+\|\s+[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:")
# nvidia-smi named just before a CUDA version in a sentence: the CUDA it prints is the driver's, not a toolkit's
_SMI_SAYS = re.compile(r"nvidia-smi\b(?:(?!\.\s|;|\b(?:nvcc|toolkit|installed)\b).)*$", re.I)
# The third row of a GPU in nvidia-smi's table (drivers since 450): two empty cells, then the MIG mode
_SMI_MIG = re.compile(r"^\|(?:\s+\|){2}\s+(?P<mig>Enabled|Disabled)\s+\|$")
_NVCC = re.compile(r"Cuda compilation tools, release (?P<v>\d+\.\d+)")
# What only an imported TensorFlow prints: its native runtime's log ("2018-07-20 10:11:12.5: I
# tensorflow/core/platform/cpu_feature_guard.cc:141] …"), its Python logging ("INFO:tensorflow:global step 12: …") or
# its tf.GIT_VERSION ("b'v1.9.0-0-g25c197e023'"). A line of the program's own output, never a sentence quoting one.
_TF_OWN_LINE = re.compile(r"\s*(?:[\d-]+ [\d:.]+: )?(?:[IWEF] ?tensorflow/(?:core|stream_executor|compiler|python)/[\w/]+\.cc:\d+\]|"
                          r"(?:INFO|WARNING|ERROR):tensorflow:)")
_TF_GIT_VERSION = re.compile(r"\bb?'v[12]\.\d+\.\d+(?:-rc\d+)?-\d+-g[0-9a-f]{7,}'")
_PROC_DRIVER = re.compile(r"NVRM version: NVIDIA UNIX .*?Kernel Module(?: for \S+)?\s+(?P<v>\d+\.\d+(?:\.\d+)?)")
_LDCONFIG = re.compile(r"^\s*(?P<so>lib[\w.+-]+\.so[\d.]*) \([^)]*\) => (?P<path>\S+)")
_FOUND_LIB = re.compile(r"^\s*(?P<path>(?:/|[A-Z]:\\)\S*?(?P<so>(?:lib)?(?:cudart|cublas|cudnn|cufft|curand|cusolver|cusparse|"
                        r"nvinfer|nvJitLink|cuda)\w*(?:\.so[\d.]*|\.dll)))\s*$")
# TensorFlow prints the loader path with each library it cannot open ("…; LD_LIBRARY_PATH: /usr/local/nvidia/lib"):
# a sentence that retells that warning for TensorRT's libnvinfer alone, which is optional (log_messages.csv,
# tf_dlopen_tensorrt), tells of no library missing or off the path
_LIB_NAMED = re.compile(r"\blib\w+\.(?:so|dll|dylib)\b", re.I)
_LIBRARY_PHRASES = frozenset({"phrase:libs_not_on_path", "phrase:cuda_libs_missing", "phrase:cudnn_missing"})


def _tensorrt_only(line: str) -> bool:
    names = _LIB_NAMED.findall(line[:cue_table.MAX_LINE])
    return bool(names) and all("nvinfer" in n.lower() for n in names)


_DOCKER = Filtered(re.compile(r"\b(?P<cmd>nvidia-docker|docker|podman|nerdctl)\s+(?:container\s+)?run\b(?P<args>.*)"))
# what follows `docker run` on a command line: an option or an image reference. A sentence that only names the
# command ("When I start it with docker run, the logs contain") runs none, unless the line is a command line, pasted
# in a block or quoted in backticks.
_RUN_ARGS = re.compile(r"\s+(?:-|[\w.-]+[/:]|\S+\s*$)")
# An image reference on a command line or a FROM line: "tensorflow/tensorflow:latest", "nvcr.io/nvidia/pytorch:24.01-py3"
_IMAGE_TOKEN = re.compile(r"[a-z0-9][\w.-]*(?:/[\w.-]+)*(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?")
_IMAGE_AT = re.compile(r"(?:^FROM\s+(?:--platform=\S+\s+)?|--image[= ])(?P<img>\S+)")
_KERAS_JSON = re.compile(r'"backend"\s*:\s*"(tensorflow|jax|torch|theano|numpy|cntk|openvino)"')
# A sentence that introduces what a program printed, then gives it: "TensorFlow prints: I tensorflow/core/…"
_INTRODUCED = guarded(re.compile(r"\b(?:prints|printed|says|said|shows|showed|outputs|output|I get|I got|gives|gave|logs|logged)"
                         r"(?: this| the following)?\s*:\s+\S"))
_ENV_NAMES = frozenset(("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "KERAS_BACKEND", "JAX_PLATFORMS",
                        "JAX_PLATFORM_NAME", "NVIDIA_DRIVER_CAPABILITIES"))
# `echo $CUDA_VISIBLE_DEVICES` (after a shell prompt or none), `printenv CUDA_VISIBLE_DEVICES`
_ECHO = re.compile(r"^(?:[\w@.~:/-]*[$#]\s*)?(?:echo\s+[\"']?\$\{?(?P<a>[A-Z_]+)\}?[\"']?|printenv\s+(?P<b>[A-Z_]+))\s*$")
_GPU_CAPS = re.compile(r"--gpus[= ]\S*?capabilities=([\w,=-]+)")
# A compose device reservation's list ("capabilities: [gpu, utility]"): Docker's daemon sets NVIDIA_DRIVER_CAPABILITIES
# to the NVIDIA driver capabilities among them, after the service's own environment, so that list is what is mounted
# (moby daemon/nvidia_linux.go, allNvidiaCaps)
_COMPOSE_CAPS = re.compile(r"""^\s*(?:-\s*)?capabilities:\s*\[(?P<caps>[\w\s,"']*)\]""")
# (a comma after the name only in a call, after its quoted name: setdefault('CUDA_VISIBLE_DEVICES', '0'); in a sentence,
# "does not forward CUDA_VISIBLE_DEVICES, so code …" sets nothing)
_ENV = Filtered(re.compile(r"""(?:export\s+|os\.environ\[\s*['"]|%env\s+|\bset\s+|\$env:|os\.environ\.setdefault\(\s*['"]|^|\s|`)"""
                  r"""(?P<var>CUDA_VISIBLE_DEVICES|KERAS_BACKEND|LD_LIBRARY_PATH|NVIDIA_VISIBLE_DEVICES|NVIDIA_DRIVER_CAPABILITIES|JAX_PLATFORMS|TF_CUDNN_VERSION|"""
                  r"""JAX_PLATFORM_NAME|TF_CPP_MIN_LOG_LEVEL|CUDA_HOME|CUDA_PATH)(?:['"]\s*,|['"]?\s*\]?\s*=)\s*(?P<fmt>[fF](?=['"]))?(?P<q>['"]?)"""
                  r"""(?P<val>[^'"`\s)]*)"""))
_KERAS_IMPORT = re.compile(r"^\s*(?:>>>\s*)?(?:import keras(?:_core)?\b|from keras(?:_core)?\b|from tensorflow import keras|"
                           r"import tensorflow\.keras)")
_REPL = (  # (fact key, expression pattern)
    # (also "cuda.is_available()" and a bare "is_available()", as people shorten it; not mps.is_available())
    ("torch_cuda_available", Filtered(re.compile(r"(?:torch\.cuda\.|(?<![\w.])cuda\.|(?<![\w.]))is_available\(\)"))),
    ("tf_built_with_cuda", Filtered(re.compile(r"is_built_with_cuda\(\)"))),
    ("torch_version_cuda", Filtered(re.compile(r"torch\.version\.cuda\b"))),
    ("tf_gpus", Filtered(re.compile(r"list_physical_devices\(\s*['\"]GPU['\"]\s*\)"))),
    ("torch_device_count", Filtered(re.compile(r"(?:torch\.)?cuda\.device_count\(\)"))),
    ("keras_backend", Filtered(re.compile(r"(?:backend|config)\.backend\(\)"))),  # Keras 3: keras.config.backend()
    ("torch_version", Filtered(re.compile(r"\btorch\.__version__"))),
    ("tf_version", Filtered(re.compile(r"\b(?:tf|tensorflow)\.__version__"))),
)
# (not "..." alone: the REPL's continuation prompt, or output the reporter left out)
_ANSWER = re.compile(r"^\s*(?:Out\[\d+\]:\s*)?(?P<a>True|False|None|\[\]|(?!\.+$)'?[\w.+-]+'?|\[.*\])\s*$")
# "… returns False", "`list_physical_devices('GPU')` still returns `[]`": the call may sit in backticks, and an adverb
# may stand before the verb; a bare True or False may follow the call with no verb ("torch.cuda.is_available() False")
_SAID_ANSWER = re.compile(r"\)?[`*]*\s*(?:(?:still|always|only|just|now|also|keeps?)\s+)?"
                          r"(?:returns?|returned|returning|gives|gave|giving|prints?|printed|outputs?|shows?|says|is|was|"
                          r"(?:comes?|came) back(?: as| with)?|reports?|reported|yields?|"
                          r"evaluates to|=|==|->|=>|→|:|(?=\s+[`*]?(?:True|False)\b))(?:\s+back)?\s+[`*]?"
                          r"(?P<a>True|False|None|\[\]|(?:an )?empty (?:list|array|tuple)|(?!(?:an?|the|me|only|just)\b)'?[\w.+-]+'?)")
_SAID_NEXT = re.compile(r"^(?:(?:it|this|that|which) )?(?:shows|returns|prints|gives|says|outputs)\s+[`'\"]?(?P<a>True|False|None)\b")
_INLINE_ANSWER = re.compile(r"#\s*(?:(?:->|=>|→)\s*)?(?P<a>True|False|None|\[\]|'?[\w.]+'?)\s*$")
# "# -> True", "=> False": an arrow before a printed answer, as people annotate what a command printed
_ARROW = re.compile(r"^(?:->|=>|→)\s*")
# tf.sysconfig.get_build_info(): a dict, or in TensorFlow 2.3 and 2.4 an OrderedDict of pairs
_IS_CUDA_BUILD = Filtered(re.compile(r"'is_cuda_build'(?::|,)\s*(?P<a>True|False)"))
_NUM_GPUS = Filtered(re.compile(r"Num GPUs Available:?\s*(?P<n>\d+)"))
_NO_DIST = Filtered(re.compile(r"No matching distribution found for (?P<pkg>[\w.\[\]-]+)|"
                               r"Could not find a version that satisfies the requirement (?P<pkg2>[\w.\[\]-]+)|"
                               # retold: "pip install tensorflow-gpu==1.1.0 says it can't find a version that …"
                               r"(?P<retold>\b(?:can'?t|cannot|could ?n[o']t|unable to) find (?:a|any) version that "
                               r"satisf(?:y|ies) the requirement|\bno matching distribution)", re.I))
_PIP_INSTALL = Filtered(re.compile(r"\b(?:(?:pip3?|uv pip|python3? -m pip|conda|mamba|micromamba|pipenv)\s+install|"
                                   r"(?:poetry|uv|pdm)\s+add)\s+(?P<args>.+)"))
_DRIVER_PACKAGE = guarded(re.compile(r"\b(?:nvidia-driver|libnvidia-compute|nvidia-utils|libnvidia-gl|nvidia-headless|"
                             r"xorg-x11-drv-nvidia)(?:-\d+)?(?:-server)?(?::\w+)?[\s-]+(?P<v>\d{3}\.\d+(?:\.\d+)?)"))
_NVIDIA_WHEEL = re.compile(r"\bnvidia-[a-z-]+-cu1\d\b", re.I)
# Where an install command retold in a sentence ends: "pip install jax and jax.devices() only lists CPU"
_END_OF_COMMAND = re.compile(r"[;`]|[.,](?:\s|$)| (?:and|but|then|which|gave|gives|says|said|so|because|after|before|"
                             r"it|that|on|in|into|from|inside|did|does|worked|works|installs|installed|fails|failed)\b")
_PIN = guarded(re.compile(r"\b(?:tensorflow(?:-cpu|-gpu|-intel|-macos)?|tf-nightly|torch|jax|jaxlib|keras)(?:\[[\w,-]+\])?==\d[\w.+]*|"
                  r"\bjax\[cuda\d+\w*\](?!=)"))
_ANSWER_WORD = re.compile(r"(true|false|yes|no)\b", re.I)
# Just before a pin, words that say it is not what is installed ("lists only `tensorflow==1.12.0`, not
# `tensorflow-gpu==1.12.0`", "instead of torch==2.1.0")
_NOT_BEFORE = re.compile(r"\b(?:not|instead of|rather than|without|nor|never)\s+(?:the\s+|a\s+)?[`'\"]?$", re.I)
# A sentence rather than a REPL's output: a capitalised word, then another word.
_PROSE_START = re.compile(r"^[A-Z][a-z]+ [a-z]")
# Ultralytics' start banner: "Ultralytics 8.3.75 🚀 Python-3.10.12 torch-2.1.0+cu118 CUDA:0 (…)": the Python and the
# torch of the process that runs it
_YOLO_BANNER = re.compile(r"\bPython-(?P<py>\d+\.\d+(?:\.\d+)?) torch-(?P<torch>\d+\.\d+(?:\.\d+)?\S*)")
# xFormers' "built for: PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.1.0+cpu)": the torch installed is the second
_XFORMERS_HAVE = re.compile(r"PyTorch \S+ with CUDA \d+ \(you have (?P<v>[^)\s]+)\)")
# (also retold: "Keras announces that it is using the TensorFlow backend")
_KERAS_SAYS = re.compile(r"Using (?:the )?(TensorFlow|Theano|CNTK|JAX|PyTorch|torch|NumPy) backend", re.I)
# "I have one GPU", "a single RTX 3090", "2 GPUs": how many the reporter's machine has
# (a count may open a sentence too: "One NVIDIA card, GPU 0 in nvidia-smi.")
# The words before a CUDA release someone only considers: "would mean dropping to", "I could downgrade to"
_WOULD_GO_TO = re.compile(r"\b(?:would|could|should|might|means?|meaning)\b(?: \w+){0,3}? (?:drop\w*|downgrad\w*|go\w* (?:back|down)|"
                          r"switch\w*|revert\w*|mov\w* (?:back|down))(?: \w+)? to\b[^.]{0,12}$", re.I)
_PIP_COLLECTS = re.compile(r"^Collecting (?P<a>tensorflow(?:-gpu|-cpu)?|tf-nightly|torch|jax|jaxlib)(?![-\w.])|"
                           r"->(?P<b>tensorflow(?:-gpu|-cpu)?|torch|jax|jaxlib)(?=[<>=!~]|->|\))", re.I)
_GPU_COUNT = re.compile(r"(?:\b(?:i have|there is|there are|with|has|have|only|machine has|node has|on|across|using)\s+|"
                        r"(?:^|[.;:]\s)\s*)(?P<n>one|"
                        r"a single|single|only one|two|four|eight|[1-8])\s*(?:x\s*)?(?:nvidia\s+)?(?:gpus?|cards?|"
                        r"graphics cards?|(?:(?:tesla|geforce|rtx|gtx|quadro)\s+)?[a-z]{0,2}\d{2,4}(?:\s?ti)?s)\b|"
                        # "Single GPU desktop", "a one-GPU machine", "2-GPU node"
                        r"\b(?P<n2>single|one|two|four|eight|[1-8])[- ]gpu (?:desktop|machine|box|laptop|server|workstation|"
                        r"node|system|setup|pc|computer|instance|vm)\b", re.I)
_MODELS = re.compile(r"\d\s*x?\s*[A-Z]{0,2}\d{2,4}(?: ?Ti)?s\b")  # "4 V100s", "2x 3090s": a count of GPUs without the word
_CUDNN_PACKAGE = guarded(re.compile(r"\blibcudnn\d(?:-dev)?[=-](?P<v>\d+\.\d+\.\d+)(?:\.\d+)?-\d"))
# A Kubernetes object or a Compose file, and the ways they ask for a GPU (resource, device reservation, runtime).
_SPEC = re.compile(r"^\s*(?:(?P<k8s>kind:\s*(?:Pod|Deployment|Job|StatefulSet|DaemonSet|CronJob)\b|containers:\s*$)|"
                   r"services:\s*$)")
_GPU_REQUEST = guarded(re.compile(r"nvidia\.com/gpu|driver:\s*['\"]?nvidia|capabilities:.*\bgpu\b|runtime:\s*nvidia|--gpus|"
                          # Apptainer/Singularity's --nv and distrobox's --nvidia bind the host's GPU and driver in
                          r"\b(?:apptainer|singularity)\b.*\s--nv\b|\bdistrobox\b.*\s--nvidia\b|"
                          r"\bgpus:\s*\S|NVIDIA_VISIBLE_DEVICES\s*[:=]\s*['\"]?(?:all|\d)", re.I))
_GPU_REQUEST_NEED = required(_GPU_REQUEST)  # the plain strings a match holds, read from the pattern
# How a line a program printed starts, when it is pasted without a code fence: a timestamp, an absl/glog
# prefix, an exception or warning class, a traceback, a REPL prompt, a logger's level, a source file:line.
_PRINTED = re.compile(r"^(?:[\w.-]+: (?:Error|error|ERROR|[Ff]ailed|WARNING|warning)\b|\[?\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d|[IWEF]\d{4} |[IWEF] [\w/.-]+\.(?:cc|h|py):\d+\]|Traceback|>>>|(?:\w+\.)*\w*(?:Error|Exception|"
                      r"Warning)\b|(?:WARNING|ERROR|INFO|CRITICAL)\b|[\w/.-]+\.(?:cc|cpp|py|h):\d+)")
# A line of Python (code, a REPL line) or a package list row: what it says is read as code or packages.
# pip's own progress lines too ("Downloading keras_core-0.1.7-py3-none-any.whl"): they name packages, not causes.
_CODE_OR_OUTPUT = re.compile(r"^(?:>>>|In \[|import |from \S+ import|os\.environ|[A-Za-z_][\w.\[\]'\"]*\s*=[^=]|"
                             r"File \"[^\"]*\", line \d+|Traceback \(most recent call last\)|(?:-+> ?)?\d+ {2,}\S|"  # a traceback's frames
                             r"(?:Collecting|Downloading|Requirement already satisfied|Installing collected packages|"
                             r"Successfully (?:installed|uninstalled|built)|Attempting uninstall|Found existing installation|"
                             r"Uninstalling|Using cached|Building wheel|Created wheel|Stored in directory|Looking in indexes)\b|"
                             r"[\w.-]+\s{2,}\d[\w.+-]*(?:\s|$))")
# nvidia-smi's table: its box rows when pasted (a fence, an indent), its column headers wherever they stand
_SMI_TABLE = re.compile(r"^[|+][-=+|]|MIG M\.|Compute M\.|Persistence-M|Pwr:Usage/Cap|Memory-Usage|GPU-Util")
# `ls /usr/local/cuda/lib64 | grep cusolver`: the folder listed, then its entries as bare names
_LS = re.compile(r"(?<![^\s$#>])ls(?:\s+-\w+)*\s+(?P<dir>/[^\s|;*]+)")
_BARE_LIB = re.compile(r"^lib[\w+-]+\.so(?:\.\d+)*$")
_KEY_VALUE = re.compile(r"[A-Za-z][\w ().+/-]{1,60}:\s")
_BANNER = re.compile(r"^Python (?P<v>\d+\.\d+\.\d+)\S* \(")
# The interpreter a traceback or pip ran in, named by its own folders: ".../lib/python3.8/site-packages" (Linux,
# macOS, conda) or "...\\Python35\\lib\\site-packages", "C:\\Python36\\python.exe" (python.org's Windows layout)
_PY_PATH = re.compile(r"[\\/]python(?P<v>[23]\.\d{1,2})[\\/](?:site|dist)-packages\b|"
                      r"(?:^|[\\/\s\"'])Python(?P<w>[23]\d{1,2})[\\/](?:lib[\\/]|Lib[\\/]|python(?:w)?\.exe\b|Scripts[\\/])",
                      re.I)
# A CUDA runtime library's file name, Linux or Windows (not libcuda, the driver's: the GPU layer reads that)
_CUDA_FILE = (r"lib(?:cudart|cublas(?:Lt)?|cufft|curand|cusolver|cusparse|cudnn\w*|nvrtc)\.so(?:\.\d+)*|"
              r"(?:cudart|cublas(?:Lt)?|cufft|curand|cusolver|cusparse|cudnn\w*|nvrtc)64_\d+\.dll")
# NVIDIA's cuDNN archive names the CUDA it is for, then the cuDNN release: cudnn-8.0-windows7-x64-v6.0
_CUDNN_ARCHIVE = re.compile(r"\bcudnn-\d+\.\d+-[\w-]+?-v(?P<v>\d+\.\d+(?:\.\d+)*)", re.I)
# the verb between a framework's name and the release said after it
# A conda build string said next to the framework: "pytorch with build string py3.9_cpu_0", "tensorflow
# cpu_py39h1c5d3fa_0", "py3.10_cuda11.8_cudnn8.7.0_0": the channel's name for a CPU or a CUDA build
_CONDA_BUILD = Filtered(re.compile(r"\b(?P<name>pytorch|torch|tensorflow(?:-base)?)\b(?:[^.\n]|\.(?=\d)){0,60}?(?<![\w.])(?P<b>py\d\.?\d+_(?P<cpu>cpu)_\d+|"
                                   r"(?P<cpu2>cpu)_(?:mkl_|generic_|openblas_)?py\d+h[0-9a-f]*(?:_\d+)?|py\d\.?\d+_cuda(?P<cu>\d+\.\d+)\S*?_\d+|"
                                   # conda-forge's: cpu_generic_py312h…, cuda126_generic_py312h… (CUDA 12.6)
                                   r"cuda(?P<cu2>\d{3})_\w*py\d+h\w*)\b"))
_SAYS = r"(?:is|was|says|said|shows|showed|reports|prints|gives(?: me)?|gave(?: me)?|got|gets|became|is now)"
_PROSE_VERSIONS = (
    # a wheel's file name keeps the build's local label: tensorflow_gpu-1.13.1+nv-cp37-cp37m-win_amd64
    ("tf_version", Filtered(re.compile(r"\btensorflow(?:[_-](?:gpu|cpu))?-(?P<v>[12]\.\d+\.\d+(?:\+\w+)?)-cp\d"))),
    # (not a project named after it: "OpenNMT-tf 2.8.1" is that project's release)
    ("tf_version", Filtered(re.compile(r"(?<![\w-])(?:TF|tf|TensorFlow|tensorflow(?:-gpu|-cpu)?(?:\[[\w,-]+\])?)`?(?:[ =:]{0,3}| \(| version:? )"
                                       r"v?(?P<v>[12]\.\d+(?:\.\d+)?)\b"))),
    ("torch_version", Filtered(re.compile(r"\b(?:torch|PyTorch|[Pp]ytorch)(?:\.__version__ (?:is|=|==|:) ?'?|[ =:]{0,3}| version:? )"
                                          r"(?P<v>[012]\.\d+(?:\.\d+)?(?:\+\w+)?)"))),
    ("jax_version", Filtered(re.compile(r"\bjax(?:lib)?(?:\[\w+\])?[ =]{0,3}(?P<v>0\.\d+(?:\.\d+)?)"))),
    # "2.0.0+cpu" on its own (an app's System Info, a version print): the +cpu label is PyTorch's CPU wheels' own
    ("torch_version", Filtered(re.compile(r"(?<![\w.+-])(?P<v>[12]\.\d+\.\d+\+cpu)\b"))),
    # "the TensorFlow in the image is 2.13", "my PyTorch version is 2.1.0", "pip show tensorflow says 2.10.1": the
    # release said a few words after the name
    # ("`pip install tensorflow-gpu`, which gave me 1.1.0": a comma may follow the name)
    ("tf_version", Filtered(re.compile(r"\b(?:TF|TensorFlow|tensorflow(?:-gpu|-cpu)?)\b`?,?(?: [\w-]+){0,4}? " + _SAYS + r" (?:version |release )?v?"
                                       r"(?P<v>[12]\.\d+(?:\.\d+)?)\b"))),
    ("torch_version", Filtered(re.compile(r"\b(?:torch|PyTorch|pytorch)\b`?(?: [\w-]+){0,4}? " + _SAYS + r" (?:version |release )?v?"
                                          r"(?P<v>[12]\.\d+(?:\.\d+)?(?:\+\w+)?)\b"))),
    ("python", Filtered(re.compile(r"\bPython[ ]?(?P<v>3\.\d+(?:\.\d+)?)\b"))),
    # "keras 3.3", "Keras 3", "keras==3.0.5": which Keras decides how its backend is chosen
    ("keras_version", Filtered(re.compile(r"\b[Kk]eras(?:[ =]{1,3}|-core )v?(?P<v>[23](?:\.\d+){0,2})\b(?!\.\d|%)"))),
    # The CUDA a PyTorch was built for, in a sentence or a conda command: "installed pytorch with cuda 11.3",
    # "conda install pytorch torchvision cudatoolkit=10.2 -c pytorch" (conda's cudatoolkit pin picks the build)
    # (the words between may hold the release's own dots: "PyTorch 1.12.1 with CUDA 11.6")
    ("torch_build_cuda", Filtered(re.compile(r"\b(?:py)?torch\b(?:[^.;!?]|\.(?=\d)){0,60}?(?:\b(?:with|for|built (?:for|with)|compiled "
                                             r"(?:for|with)|against) cuda(?: toolkit)?[ -]?v?|\bcudatoolkit ?=+ ?|\bpytorch-cuda ?=+ ?)"
                                             r"(?P<v>1[0-3]\.\d|[89]\.\d)\b", re.I))),
    # The CUDA a build needs, said in words ("this TensorFlow wants CUDA 11.0", "compiled against CUDA 12.1"): not a
    # CUDA that is installed. Read before "cuda", which then skips the version this one took.
    ("cuda_needed", Filtered(re.compile(r"\b(?:wants?|needs?|needed|requires?|required|expects?|expected|looks? for|"
                                        r"looking for|asks? for|(?:built|compiled|made) (?:for|with|against)|"
                                        r"complains? (?:that|about)|"
                                        # an instruction to install it (a self-check script's, a guide's): not installed
                                        r"(?:should|must|have to|has to|need to|needs to|please) (?:\w+ ){0,2}?install)"
                                        # ("it complains that CUDA 12.1 cannot be found": the CUDA the program looks for)
                                        r"(?: \w+){0,3}? CUDA(?: toolkit)? ?v?(?P<v>1[0-3]\.\d+|[7-9]\.\d)\b"))),
    # "CUDA 11.8", "cuda toolkit 12.1", "with cuda-11.2" (the toolkit's folder name, as people often write it)
    # (the words between never name cuDNN: "CUDA and cuDNN (7.6.5)" gives cuDNN's version; a bare major, "CUDA 9" or
    # "CUDA 12", is a release too, but not a count: "CUDA cores 1024", "CUDA 12 GB")
    # ("CUDA on the machine: 10.2": a colon may stand before the release)
    ("cuda", Filtered(re.compile(r"\b(?:CUDA|[Cc]uda)\b(?:-|(?:(?![Cc][Uu][Dd][Nn][Nn])[\w ]){0,32}?)(?::\s*)?\(?v?"
                                 r"(?P<v>1[0-3]\.\d+|[7-9]\.\d|(?:1[0-3]|[89])(?![.\d])(?!\s*(?:GB|MB|G\b|cores?|%)))\b"))),
    # "CUDA/cuDNN 10.0" in a list: the CUDA release (the pair is named by it)
    ("cuda", Filtered(re.compile(r"\bCUDA ?/ ?cuDNN:? v?(?P<v>1[0-3]\.\d+|[7-9]\.\d)\b", re.I))),
    ("cudnn", Filtered(_CUDNN_ARCHIVE)),
    # ...whose archive name leads with the CUDA release it was built for (cudnn-9.0-windows10-x64-v7.5.0.56.zip,
    # cudnn-10.2-linux-x64-v8.0.1.13.tgz): the CUDA the reporter installed it for
    ("cuda", Filtered(re.compile(r"\bcudnn-(?P<v>\d+\.\d+)-(?:windows|linux|osx|macos)", re.I))),
    # "cuDNN 8.1", "cudnn v7.6.5", "CuDNN-8.9.2": the cuDNN the reporter installed
    ("cudnn", Filtered(re.compile(r"\bcudnn\b[ =-]{0,3}v?(?P<v>[5-9]\.\d+(?:\.\d+)?)\b(?!-[a-z])", re.I))),
    # An operating system named with its version in a sentence ("on Ubuntu 22.04", "Windows 11")
    ("os", Filtered(re.compile(r"\b(?P<v>(?:Ubuntu|Debian|CentOS|Fedora|Rocky Linux|RHEL|Red Hat|Arch Linux|Manjaro|Pop!_OS|"
                               r"Linux Mint|openSUSE|AlmaLinux|elementary OS|Zorin OS|NixOS|Kali Linux|Windows|macOS|WSL) ?\d+(?:\.\d+)*(?: LTS)?)"))),
    # "the GPU in the node is an AMD one", "my graphics card is an Intel": another vendor named as the GPU
    ("gpu", Filtered(re.compile(r"\b(?:GPU|gpu|[Cc]ard|[Gg]raphics)\b[\w ]{0,30} (?:is|are) (?:an? |from |made by )?"
                                r"(?P<v>AMD|Intel|Radeon)\b"))),
    # A GPU named in a sentence: an NVIDIA model, or another vendor's (which no CUDA build can use)
    ("gpu", Filtered(re.compile(r"(?P<v>\b(?:NVIDIA )?(?:GeForce|Quadro|Tesla|TITAN|RTX|GTX) ?[A-Z]{0,2}\d{2,4}\w*(?: ?Ti| ?SUPER)?|"
                                r"\b(?:NVIDIA )?[AHLTV]100\b|\bRadeon(?: (?:RX|Pro|HD|R[3579]|VII|Vega|XTX?|[A-Z]?\d{2,4}[A-Z]{0,3}))*\b|"
                                # a Jetson module: "Jetson AGX Orin", "an AGX Orin", "Orin Nano", "Jetson Nano"
                                r"\b(?:NVIDIA )?Jetson(?: (?:AGX|Orin|Xavier|Nano|NX|TX[12]|Thor|T[45]000))+|\bAGX (?:Orin|Xavier)\b|"
                                r"\bOrin (?:NX|Nano)\b|\bAMD (?:Vega|Instinct|MI\d+)[\w ]{0,12}|"
                                # AMD's and Intel's cards by their model alone: "a Vega 64", "my RX 6700 XT", "an Arc A770"
                                r"\bVega ?(?:56|64|Frontier)\b|\bRX ?\d{3,4}(?: ?XTX| ?XT)?\b|\bArc A\d{3}M?\b|"
                                r"\bIntel\(?R?\)? (?:UHD|HD|Iris|Arc)[\w ]{0,16})"))),
    # conda's CUDA runtime package named with its release in a sentence ("cudatoolkit 11.1 from conda")
    ("cuda", Filtered(re.compile(r"\bcuda-?toolkit[ =]{0,3}v?(?P<v>1[0-3]\.\d+|[7-9]\.\d)\b", re.I))),
    # The CUDA of an image named in a sentence: "FROM an nvidia/cuda 10.1 image", "nvidia/cuda:11.8.0-base"
    ("cuda", Filtered(re.compile(r"\bnvidia/cuda[: ]v?(?P<v>1?\d\.\d)"))),
    # A CUDA library the reporter says the framework could not load, in their own words ("it can't find
    # libcudart.so.11.0", "cudnn64_8.dll is missing"): the same fact as the loader's message, stated.
    ("lib_failed", Filtered(re.compile(r"(?:can'?t|cannot|could ?n[o']t|unable to|fail(?:s|ed)? to|does ?n[o']t|won'?t|not) "
                                       r"(?:load|find|open|locate)\b(?:[^.;!?]|\.(?=\w)){0,60}?\b(?P<v>" + _CUDA_FILE + ")",
                                       re.I))),
    ("lib_failed", Filtered(re.compile(r"\b(?P<v>" + _CUDA_FILE + r")['`\"]?,? (?:is |was |are )?(?:missing|not found|"
                                       r"could ?n[o']t be (?:found|loaded|opened)|cannot be (?:found|loaded|opened))", re.I))),
    # A CUDA library the reporter says the machine has ("the CUDA runtime on my system is libcudart.so.9.0")
    # ("my system's CUDA runtime is libcudart.so.9.0": the owner and a few words may stand before the verb)
    ("lib_on_disk", Filtered(re.compile(r"\b(?:system|machine|computer|box|server|i)(?:'s)?(?: [\w ]{1,30}?)? (?:has|have|is|"
                                        r"are|got|only has|"
                                        r"only have)\b[^.;!?]{0,40}?\b(?P<v>lib(?:cudart|cublas|cudnn|cufft|curand|cusolver|"
                                        r"cusparse)\.so\.\d+(?:\.\d+)?|"
                                        r"(?:cudart|cublas|cudnn|cufft|curand|cusolver|cusparse)64_\d+\.dll)", re.I))),
    # The driver's own library said missing in words ("libcuda.so.1 cannot be found", "it can't load libcuda"):
    # the same fact as the loader's "Could not load dynamic library 'libcuda.so.1'", retold.
    ("libcuda_failed", Filtered(re.compile(r"\b(?P<v>libcuda\.so(?:\.1)?|nvcuda\.dll)['`\"]?,? (?:is |was )?(?:missing|not found|"
                                           r"could ?n[o']t be (?:found|loaded|opened)|cannot be (?:found|loaded|opened))", re.I))),
    ("libcuda_failed", Filtered(re.compile(r"(?:can'?t|cannot|could ?n[o']t|unable to|fail(?:s|ed)? to) (?:load|find|open|"
                                           r"locate)\b[^.;!?]{0,30}?\b(?P<v>libcuda\.so(?:\.1)?|libcuda|nvcuda\.dll)\b", re.I))),
    # "I have an Intel graphics card", "my laptop only has an AMD Radeon": another vendor's GPU, in a sentence
    ("gpu", Filtered(re.compile(r"\b(?:have|has|with|only|got|my|our) (?:an? |only )?(?:integrated |onboard )?(?P<v>(?:Intel|AMD|Radeon)"
                                r"(?: [\w()]+){0,4}? (?:graphics|GPU|card|iGPU))\b", re.I))),
    # The Keras backend the reporter means to use, in words: "I'm using Theano as the backend"
    ("keras_backend_wanted", Filtered(re.compile(r"\b(?:using|use|with|chose|want|prefer)\s+(?P<v>theano|tensorflow|torch|"
                                                 r"pytorch|jax|cntk)\s+as\s+(?:the\s+|my\s+)?(?:keras\s+)?backend\b", re.I))),
    # A variable's value said in words: "CUDA_VISIBLE_DEVICES is set to 100", "CUDA_VISIBLE_DEVICES was empty"
    ("env:CUDA_VISIBLE_DEVICES", Filtered(re.compile(r"\bCUDA_VISIBLE_DEVICES`? (?:is|was|gets|got) (?:set to |equal to )?"
                                                     r"`?['\"]?(?P<v>-?\d+|NoDevFiles|(?=['\"]{2})|(?=empty))"))),
    # "there is indeed no libcublas in /usr/local/cuda-10.1", "no cudnn64_8.dll anywhere on the disk": the reporter
    # looked, and the library is not there
    ("lib_absent", Filtered(re.compile(r"\b(?:is|are|there's|was|found|have|has) (?:indeed |really |definitely )?no (?:lib)?"
                                       r"(?P<v>cudart|cublas(?:Lt)?|cufft|curand|cusolver|cusparse|cudnn|nvrtc)\w*(?:\.so[\d.]*|"
                                       r"64_\d+\.dll)? (?:file |library )?(?:in|under|inside|anywhere|on)\b", re.I))),
    # "my driver is 410.48", "host driver 460.106.00": NVIDIA driver versions are three digits, a dot, two or three
    ("driver", Filtered(re.compile(r"\b[Dd]river(?: [Vv]ersion)?(?: (?:on|of|in) (?:my|the|this|our) \w+)?(?: is| of| =|:)?"
                                   r"(?: version)?\s+v?(?P<v>[2-9]\d\d\.\d{2,3}(?:\.\d{2})?)\b"))),
    # Only the branch, as people often say it: "the nodes run driver 470", "the 535 driver", "nvidia-driver-550".
    # A branch is enough to know the newest CUDA it runs (each CUDA release's minimum is a branch's first driver).
    ("driver", Filtered(re.compile(r"\b[Dd]river(?: [Vv]ersion)?(?: is| of| =|:)?\s+[Rr]?(?P<v>[2-9]\d\d)(?!\d|\.\d)"))),
    ("driver", Filtered(re.compile(r"\b[Rr]?(?P<v>[2-9]\d\d)(?:\.xx)? (?:series |branch )?(?:NVIDIA )?[Dd]rivers?\b"))),
    ("driver", Filtered(re.compile(r"\bnvidia-driver-(?P<v>[2-9]\d\d)\b"))),
)


# "downgraded to", "went back down with pip to", "switched to", "now on": the version the reporter has now
_CHANGED_TO = re.compile(r"\b(?:(?:down|up)grad\w*|went (?:back )?(?:down |up )?|switched|moved|changed|reverted|rolled back)"
                         r"\b[^.;]{0,25}\bto\b|\bnow (?:on|using|have)\b|--upgrade\b|\s-U\s|\breplac\w*\b(?:[^.;]|\.(?=\d)){0,40}\b(?:with|by)\b", re.I)
_VERSION_KEYS = ("tf_version", "torch_version", "jax_version")


def _version(value: str, last: bool = False) -> str | None:
    found = _VERSION.findall(value)
    if not found:
        return None
    return found[-1] if last else found[0]


# A program's option that asks for the CPU (knowledge/cpu_flags.csv), read on a line that runs a command: a script,
# a launcher, a service unit or a container's command, not a sentence that retells what the reporter tried ("with
# python main.py --cpu it works, but without it …")
_CPU_FLAG = cpu_options.pattern()
_COMMAND_LINE = re.compile(r"^(?:[$#>] ?|\(\S+\) ?|\w+@[\w.-]+:\S*[$#] ?)*(?:python3?|py|accelerate|torchrun|whisper|yolo|"
                           r"comfy|docker|podman|bash|sh|\./|\S+\.(?:py|sh|bat|ps1)\b|(?:set|export) COMMANDLINE_ARGS|"
                           r"COMMANDLINE_ARGS|ExecStart=|CMD\b|ENTRYPOINT\b|RUN\b|command:)")
_SHELL_SET = re.compile(r"(?:^|[\s;])(?:export\s+)?(?P<name>[A-Za-z_]\w*)=(?P<q>['\"]?)(?P<val>[^'\"\s;$`]+)")
_SHELL_REF = re.compile(r"\$\{?(?P<name>[A-Za-z_]\w*)\}?$")
_PATH_VARS = ("LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH")  # lists of folders: "$LD_LIBRARY_PATH:/x" is still read


# What a program's advice goes on to say after the setting it suggests: "set JAX_PLATFORMS=cpu to skip this backend",
# "set JAX_PLATFORMS='' to automatically choose an available backend" (jax's xla_bridge)
_ADVICE = re.compile(r"['\"]?\s+to (?:skip this backend|automatically choose)", re.I)


_INLINE_CODE = re.compile(r"`([^`\n]{3,400})`")
_RUNS_PYTHON = re.compile(r"(?:^|[/\\])python[\d.]*(?:\.exe)?\s|\.py\b")  # …/venv/bin/python main.py
_NEXT_FIELD = re.compile(r";\s+(?=[A-Za-z][\w ./()-]{0,40}:\s)")


def _env_value(e: re.Match, assigned: dict[str, str]) -> str | None:
    """The value a line gives a variable, or None when it is computed and unknown here: an f-string, a shell or
    batch variable the report never assigns (`$RANK`, `%LOCAL_RANK%`), a Python name (`os.environ[...] = gpu_id`).
    A shell variable the report assigns a literal (CUDA_ID=1 … CUDA_VISIBLE_DEVICES=${CUDA_ID}) is that literal;
    `$0`-`$9` are kept as written: the shell expands them to its own name or to nothing, never to a GPU index."""
    val = e.group("val")
    if e.group("var") in _PATH_VARS:
        return val
    if not e.group("q"):
        val = val.rstrip(",.;:")  # "I tried CUDA_VISIBLE_DEVICES=0, no change": the sentence's punctuation
    ref = _SHELL_REF.match(val)
    if ref:
        return assigned.get(ref.group("name"))
    if e.group("fmt") or (val.startswith(("$", "%", "{", "`")) and not re.match(r"\$\d$", val)):
        return None
    if "environ" in e.group(0) and not e.group("q") and re.match(r"[A-Za-z_]\w*$", val):
        return None
    return val


@functools.lru_cache(maxsize=1024)
def _field_key(key: str) -> tuple[str, bool] | None:
    key = key.strip().strip("*").strip()
    for rx, fact, program in _KEYS:
        if rx.match(key):
            return fact, program
    return None


class _Reader:
    def __init__(self) -> None:
        # Per piece being read: the regexes (Filtered) and log-table rows whose plain strings it holds.
        self.todo: list = []
        self.low: str | None = None  # the piece lower-cased, when something may match it
        self.seen: dict[tuple, int] = {}
        self.rows: list | None = None
        self.log: list[LogMatch] = []
        self.prose_log: set[int] = set()
        self.retold: dict[tuple, list[int]] = {}  # a message's key → where in self.log its retold copies are
        self.in_fence = False
        self.stated: list[StatedFact] = []
        self.smi_rows = 0
        self.tf_imported = False  # once is enough: a TensorFlow that printed one line of its own had imported
        self.docker_args: dict[str, str] = {}
        self.cues: list[Cue] = []
        self.packages: list[ListedPackage] = []
        self.ls_dir: str | None = None  # the folder an `ls` just listed, while its bare file names follow
        self.assigned: dict[str, str] = {}  # shell variables the report sets to a literal (NAME=value)
        self.pci: list[PciDevice] = []  # lspci's device lines, with the driver `lspci -k` shows bound
        self.formats: set[str] = set()
        self.program_keys = False  # collect_env / jax env info seen: their fields are program output
        self.pending_heading: tuple[str, bool] | None = None
        self.pending_repl: tuple[str, int, str] | None = None
        self.pending_echo: tuple[str, int] | None = None  # `echo $CUDA_VISIBLE_DEVICES`: its value is the next line
        self.pending_pip_show: str | None = None
        self.prose_chars = 0  # characters of sentences searched for phrases so far
        self.after_prompt = False  # the previous line was a REPL prompt or its output
        self.text_chars = 0  # characters of lines other than known messages read so far (for cues)
        self.message = False  # the line being read is a known message (log_messages.csv), as the program printed it

    def state(self, key: str, value: str, n: int, text: str, by_user: bool, now: bool = False) -> None:
        """Keep a fact. `now`: the reporter says this is what they changed to ("downgraded to tensorflow 1.13.1"),
        so it goes before the versions of that kind the report only mentions (a tutorial's, an earlier try)."""
        if key == "torch_device_count":
            # PyTorch's is_available() is device_count() > 0 (torch/cuda/__init__.py): a count is that answer too
            if not value.strip().isdigit():
                return
            self.state("torch_cuda_available", str(int(value.strip()) > 0), n, text, by_user, now)
        if key == "torch_cuda_available" and (b := _ANSWER_WORD.match(value.strip())):
            # the answer, as Python prints it, whatever follows it ("True, device count 1, …") or however a form
            # spells it (collect_env's "Is CUDA available: No")
            value = "True" if b.group(1).lower() in ("true", "yes") else "False"
        if self.fresh(("fact", key, value)):
            fact = StatedFact(key, value.strip(), n, text.strip()[:300], by_user)
            at = next((i for i, s in enumerate(self.stated) if s.key == key), len(self.stated)) if now else len(self.stated)
            self.stated.insert(at, fact)

    def fresh(self, key: tuple) -> bool:
        """False once the same fact was kept REPEATS times: a log repeating a line adds no evidence, only size."""
        seen = self.seen.get(key, 0)
        self.seen[key] = seen + 1
        return seen < REPEATS

    def field(self, fact: str, program: bool, value: str, n: int, line: str) -> None:
        # (a second field retold on the same line ends this one: 'CUDA used to build PyTorch: "Could not collect"; ROCM:
        # N/A'; the quotes a person puts around a printed value are not part of it)
        value = _NEXT_FIELD.split(value, maxsplit=1)[0].strip().strip("`").strip().strip("\"'").strip()
        if fact == "torch_build_cuda" and program and value == "None":
            # collect_env's "CUDA used to build PyTorch: None": torch.version.cuda is None, a CPU build
            self.state(fact, value, n, line, False)
            return
        if not value or value.lower() in ("n/a", "na", "none", "-", "no response", "_no response_"):
            return
        by_user = not (program or self.program_keys)
        if fact == "cuda_cudnn":
            nvcc = re.search(r"release (\d+\.\d+), V\d", value)
            if nvcc:  # nvcc's "Cuda compilation tools, release 8.0, V8.0.44": the CUDA only, no cuDNN
                self.state("cuda", nvcc.group(1), n, line, by_user)
                return
            parts = re.split(r"\s*[/,]\s*|\s+and\s+", value, maxsplit=1)
            v = _version(parts[0])
            if v:
                self.state("cuda", v, n, line, by_user)
            second = _version(parts[1]) if len(parts) > 1 else None
            # nvcc's "release 10.1, V10.1.243" names the CUDA twice: no cuDNN in it
            if second and not (v and second.startswith(v)):
                self.state("cudnn", second, n, line, by_user)
            return
        if fact in _VERSIONED:
            v = _version(value, last=value.lstrip().startswith("v") and fact == "tf_version")
            archive = _CUDNN_ARCHIVE.search(value) if fact == "cudnn" else None
            v = archive.group("v") if archive else v
            if fact == "torch_version":
                m = re.search(r"\d+\.\d+(?:\.\d+)?(?:\+\w+)?", value)
                v = m.group(0) if m else v
            if v is None:
                if fact == "torch_cuda_available" or fact == "torch_build_cuda":
                    self.state(fact, value, n, line, by_user)
                return
            self.state(fact, v, n, line, by_user)
        else:
            self.state(fact, value, n, line, by_user)

    def line(self, n: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            return
        self._line(n, line, stripped)  # self.after_prompt: the line before was a REPL prompt or its output
        # ("..." alone outside a REPL session is an elision in pasted output, not a continuation prompt)
        self.after_prompt = stripped.startswith((">>>", "In [")) or (stripped.startswith("...") and stripped != "...") or \
            (self.after_prompt and not _PROSE_START.match(stripped))

    def _line(self, n: int, line: str, stripped: str) -> None:
        if stripped.startswith("```"):
            self.in_fence = not self.in_fence
        if stripped.startswith("ARG ") and (arg := _DOCKER_ARG.match(stripped)) and len(self.docker_args) < 64:
            self.docker_args[arg.group("name")] = arg.group("value").strip("\"'")
        elif stripped.startswith("FROM ") and "$" in stripped and self.docker_args:
            # a Dockerfile's base image named through its ARGs: FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu18.04
            line = stripped = _DOCKER_VAR.sub(lambda v: self.docker_args.get(v.group(1) or v.group(2), v.group(0)),
                                              stripped)
        m = match_line(line, n, self.rows) if self.rows else None
        if m is None and self.rows and not (self.in_fence or line.startswith(("    ", "\t"))) and \
                self.text_chars <= cue_table.CUE_CHARS and not _PRINTED.match(stripped) and not self.after_prompt:
            m = match_line(line, n, self.rows, told=True)  # a message retold in a sentence, in the writer's case
        quoted = introduced = False
        if m is not None:
            # a message quoted in a title or a sentence ("WSL2: nvidia-smi says …"), not pasted output; a sentence
            # that says a program printed it ("TensorFlow prints: …") gives the output itself
            introduced = bool(_INTRODUCED.search(stripped[:160]))
            quoted = not (self.in_fence or m.level or line.startswith(("    ", "\t")) or _PRINTED.match(stripped)
                          or self.after_prompt or introduced)
            key = ("log", m.id, *sorted(m.groups.items()))
            if self.fresh(key):
                if quoted:
                    self.prose_log.add(n)
                    self.retold.setdefault(key, []).append(len(self.log))
                self.log.append(m)
            elif not quoted and self.retold.get(key):
                # the message was first retold (a title, a sentence) and is now pasted as printed: the printed
                # line is the evidence, with its prefix (level, the file that printed it)
                old = next((i for i in self.retold[key] if self.log[i].line in self.prose_log), None)
                if old is not None:
                    self.retold[key].remove(old)
                    self.prose_log.discard(self.log[old].line)
                    self.log[old] = m
            self.formats.add("framework_log")
        self._answers(n, line, stripped)
        if self.pending_echo is not None or "echo" in stripped or "printenv" in stripped:
            self._echoed(n, stripped)
        # a known message's "set JAX_PLATFORMS=cpu to skip this backend" is the program's advice, not a setting
        self.message = m is not None and not quoted
        self._program_output(n, line, stripped)
        if m is not None and not quoted and not introduced:
            return  # a program's message is not prose: no cues or stated versions in it (the words that introduce it are)
        if m is not None and (span := message_span(m, line)) is not None:
            # the message's own words, retold or quoted, are the program's, not the reporter's account: "… because the
            # TF_FORCE_GPU_ALLOW_GROWTH environment variable is set" names no path problem (blanked, columns kept)
            line = line[:span[0]] + " " * (span[1] - span[0]) + line[span[1]:]
            self.low = None  # (lower-cased again from what is left)
        # The reporter's account comes before the logs it carries: cues are read in the first CUE_CHARS
        # characters of lines that are not known messages, phrases in the first PHRASE_CHARS of sentences.
        self.text_chars += len(line)
        found = cue_table.find(line, self.todo, self.low) if self.text_chars <= cue_table.CUE_CHARS else []
        # Words that go with a cause are read in the reporter's sentences, not in code or package lists.
        # (a command pasted in a block is the reporter's doing; a "Key: value" row there is a program's report:
        # collect_env's "ROCM used to build PyTorch: N/A" names no AMD GPU)
        pasted = self.in_fence or line.startswith(("    ", "\t"))
        at: dict[str, int] = {}
        # (a comment in a pasted block is the code's, not the reporter's account: "# Get the CUDA_PATH variable")
        if self.prose_chars < cue_table.PHRASE_CHARS and not _CODE_OR_OUTPUT.match(stripped) and \
                not (pasted and (_KEY_VALUE.match(stripped) or stripped.startswith(("|", "# ", "//")))) and \
                not _SMI_TABLE.search(stripped):
            self.prose_chars += len(line)
            at = cue_table.phrases(line)
            if "nvinfer" in stripped and at and _tensorrt_only(stripped):  # (stripped: before a message is blanked)
                at = {c: i for c, i in at.items() if c not in _LIBRARY_PHRASES}
            found += at
        for cid in found:
            if self.fresh(("cue", cid)):
                # a long paragraph is cut to its first 300 characters, or to those around the phrase found past them
                start = max(at.get(cid, 0) - (len(line) - len(line.lstrip())), 0)
                text = stripped[:300] if start < 250 else stripped[start - 150:start + 150]
                self.cues.append(Cue(cid, n, text, True))
        self._fields(n, line, stripped)
        self._packages(n, line, stripped)

    def _image(self, n: int, stripped: str, words: list[str]) -> None:
        """The first word that is an image the knowledge base knows (knowledge/container_images.csv): the
        container the report runs or builds from."""
        for w in words[:40]:
            w = w.strip("'\"`")
            if not w.startswith("-") and _IMAGE_TOKEN.fullmatch(w) and image_row(w) is not None:
                self.state("image", w, n, stripped, False)
                return

    def _echoed(self, n: int, stripped: str) -> None:
        """A variable printed by `echo $VAR` or `printenv VAR`, with the value on the next line."""
        if self.pending_echo is not None:
            var, at = self.pending_echo
            self.pending_echo = None
            if n - at <= 2 and " " not in stripped and not stripped.startswith(("$", "#", ">>>", "```")):
                self.state("env:" + var, stripped.strip("'\""), n, stripped, False)
                return
        if "echo" in stripped or "printenv" in stripped:
            e = _ECHO.match(stripped)
            var = e and (e.group("a") or e.group("b"))
            if var in _ENV_NAMES:
                self.pending_echo = (var, n)

    def _answers(self, n: int, line: str, stripped: str) -> None:
        if self.pending_repl is not None:
            key, at, text = self.pending_repl
            self.pending_repl = None
            # a REPL line, "# 'jax'", or the answer retold on the next line ("shows True.")
            a = _ANSWER.match(stripped) or _ANSWER.match(_ARROW.sub("", stripped.lstrip("# "))) or _SAID_NEXT.match(stripped)
            if not a and n - at < 4 and _PRINTED.match(stripped) and not stripped.startswith(">>>"):
                self.pending_repl = (key, at, text)  # the framework's log lines come before the printed value
            elif a and n - at <= 4:
                self.state(key, a.group("a").strip("'"), n, f"{text} → {stripped}", False)
            elif n - at == 1 and text.startswith(">>>") and stripped.startswith(">>>") and \
                    "print(" not in text and "=" not in text.replace("==", ""):
                # The REPL prints nothing for an expression whose value is None: the next prompt follows at once.
                self.state(key, "None", n, f"{text} → (nothing printed: None)", False)
        for key, rx in _REPL if self.todo else ():
            if rx in self.todo and rx.rx.search(line):
                said = _SAID_ANSWER.match(line, rx.rx.search(line).end())
                if said:  # "torch.version.cuda returns None", "print(torch.__version__) -> 2.0.1+cpu"
                    a = said.group("a").strip("'\"").rstrip(".,;:")  # the sentence's own full stop is no part of it
                    self.state(key, "[]" if "empty" in a else a, n, stripped, False)
                    continue
                inline = _INLINE_ANSWER.search(line)
                if inline:
                    self.state(key, inline.group("a").strip("'"), n, stripped, False)
                elif "print(" not in line or stripped.rstrip("\"'").endswith(")"):  # python -c "…print(…)"
                    self.pending_repl = (key, n, stripped)
                break

    def _program_output(self, n: int, line: str, stripped: str) -> None:
        if "ls " in line and "/" in line:
            ls = _LS.search(line)
            self.ls_dir = ls.group("dir") if ls else self.ls_dir
        elif self.ls_dir and not stripped.startswith("lib"):
            self.ls_dir = None  # the listing ended
        if "Collecting environment information" in line or \
                stripped.startswith(("Is CUDA available:", "jax.devices (", "== check python")):
            self.program_keys = True
            self.formats.add("env_dump")
        if ": " in line and "." in line[:14]:
            dev = parse_lspci_line(line)
            if dev is not None and len(self.pci) < 256 and self.fresh(("pci", dev.address, dev.pci_class)):
                self.formats.add("lspci")
                self.pci.append(dev)
        elif self.pci and "Kernel driver in use" in line:
            bound = kernel_driver(line)
            if bound:
                self.pci[-1] = dataclasses.replace(self.pci[-1], driver=bound)
        if "NVIDIA-SMI" in line:
            h = _SMI_HEADER.search(line)
            if h:
                self.formats.add("nvidia_smi")
                self.state("driver", h.group("driver"), n, stripped, False)
                if h.group("cuda") not in (None, "N/A"):
                    self.state("smi_cuda", h.group("cuda"), n, stripped, False)
        if "MiB" in line:
            mm = _SMI_MEMORY.search(line)
            if mm:
                self.state("gpu_memory", f"{mm.group('used')}/{mm.group('total')}", n, stripped, False)
                mode = _SMI_MODE.search(line)
                if mode:
                    self.state("compute_mode", mode.group("mode"), n, stripped, False)
        # one row each per GPU, kept even when every GPU has the same name or mode
        row = None
        if stripped[:1] == "|":  # nvidia-smi's rows are the only lines these read
            row = _SMI_MIG.match(stripped) if "abled" in line else _SMI_NAME.match(stripped) if "0:" in line else None
        if row and self.smi_rows < 256:
            self.smi_rows += 1
            key, value = ("mig_mode", row.group("mig")) if "mig" in row.groupdict() else ("smi_gpu_name", row.group("name"))
            self.stated.append(StatedFact(key, value, n, stripped[:300], False))
        elif "MIG devices" in line and stripped.startswith("|"):
            self.state("mig_devices_shown", "yes", n, stripped, False)  # the table of MIG instances nvidia-smi lists
        if not self.tf_imported and (("tensorflow" in line and _TF_OWN_LINE.match(line)) or
                                     ("'v" in line and _TF_GIT_VERSION.search(line, 0, 400))):
            self.tf_imported = True
            self.state("tf_imported", "yes", n, stripped, False)
        if "compilation tools" in line:
            v = _NVCC.search(line)
            if v:
                self.formats.add("nvcc")
                self.state("nvcc_cuda", v.group("v"), n, stripped, False)
        if "NVRM version" in line:
            v = _PROC_DRIVER.search(line)
            if v:
                self.formats.add("proc_driver_version")
                self.state("kernel_module", v.group("v"), n, stripped, False)
        if " => " in line:
            ld = _LDCONFIG.match(line)
            if ld:
                self.formats.add("ldconfig")
                self.state("lib_on_disk", ld.group("so"), n, stripped, False)
        elif self.ls_dir and stripped.startswith("lib"):
            # `ls /usr/local/cuda/lib64` prints bare names: each is a file in the folder that command listed
            for token in stripped.split()[:64]:
                if _BARE_LIB.match(token):
                    self.state("lib_on_disk", token, n, f"{self.ls_dir.rstrip('/')}/{token}", False)
        elif stripped[:1] in "/CDEF" and ("lib" in stripped or ".dll" in stripped):
            # one path a line (find, locate) or several (ls prints them side by side)
            tokens = stripped.split()
            paths = tokens if len(tokens) < 64 and all(t[:1] == "/" or t[1:3] == ":\\" for t in tokens) else [stripped]
            for token in paths:
                f = _FOUND_LIB.match(token)
                if f:
                    self.state("lib_on_disk", f.group("so"), n, stripped, False)
        if "run" in line:
            d = _DOCKER.rx.search(line) if _DOCKER in self.todo else None
            if d and (_RUN_ARGS.match(d.group("args")) or self.in_fence or _COMMAND_LINE.match(stripped)
                      or "`" in line):
                args = d.group("args")
                # (podman's NVIDIA OCI hook, which a --hooks-dir points at, hands the GPU in without a flag)
                gpus = d.group("cmd") == "nvidia-docker" or "--gpus" in args or "--runtime=nvidia" in args or \
                    "--runtime nvidia" in args or "nvidia.com/gpu" in args or "--device nvidia.com" in args or \
                    "--hooks-dir" in args or "nvidia_container_t" in args
                self.formats.add("docker_run")
                self.state("docker_run", "gpus" if gpus else "no_gpus", n, stripped, False)
                self._image(n, stripped, args.split())
                caps = _GPU_CAPS.search(args)
                if caps:  # --gpus '"capabilities=utility,device=0"': the driver capabilities the runtime mounts
                    # (a list runs to the next key: "capabilities=utility,device=GPU-…" asks for utility alone)
                    asked = ",".join(takewhile(lambda c: "=" not in c, caps.group(1).split(",")))
                    self.state("env:NVIDIA_DRIVER_CAPABILITIES", asked, n, stripped, False)
        if "capabilities:" in line and (caps := _COMPOSE_CAPS.match(line)):
            listed = [c.strip(" \"'").lower() for c in caps.group("caps").split(",")]
            asked = [c for c in listed if c in DRIVER_CAPS]
            if "gpu" in listed and asked:
                self.state("env:NVIDIA_DRIVER_CAPABILITIES", ",".join(asked), n, stripped, False)
        if ("=" in line or "," in line) and not self.message:
            for e in (_ENV.rx.finditer(line) if _ENV in self.todo else ()):
                if _ADVICE.match(line, e.end()):
                    continue  # JAX's advice retold ("… or set JAX_PLATFORMS=cpu to skip this backend"), not a setting
                val = _env_value(e, self.assigned)
                if val is not None:
                    self.state("env:" + e.group("var"), val, n, stripped, False)
            if len(self.assigned) < 200 and "=" in line:
                for a in _SHELL_SET.finditer(line[:400]):
                    self.assigned.setdefault(a.group("name"), a.group("val"))
        if "nvidia" in line and (stripped.startswith(("ii ", "nvidia", "libnvidia", "xorg-x11-drv-nvidia")) or " nvidia-" in line):
            pkg = _DRIVER_PACKAGE.search(line)
            if pkg:  # dpkg -l / rpm -q: the user-space driver that is installed (not necessarily loaded)
                self.state("driver_package", pkg.group("v"), n, stripped, False)
        # uv's and pip's removal lines (" - nvidia-cudnn-cu12==9.5.1.17", "Uninstalling nvidia-…", "Successfully
        # uninstalled nvidia-…") name wheels that are gone, not installed
        if "nvidia-" in line and "-cu1" in line and not stripped.startswith(("Uninstalling", "Successfully uninstalled")) \
                and not _UV_REMOVED.fullmatch(stripped):
            for w in _NVIDIA_WHEEL.findall(line)[:12]:
                self.state("nvidia_wheel", w.lower(), n, stripped, True)
        if "libcudnn" in line:
            pin = _CUDNN_PACKAGE.search(line)
            if pin:  # apt/yum's libcudnn8=8.6.0.163-1+cuda11.8: the cuDNN this system or image installs
                self.state("cudnn", pin.group("v"), n, stripped, False)
        spec = _SPEC.match(line) if (":" in line) else None
        if spec:  # a Kubernetes or Compose file pasted: whether it asks for a GPU anywhere is read below
            self.state("container_spec", "kubernetes" if spec.group("k8s") else "compose", n, stripped, False)
        if stripped.startswith("FROM ") or "--image" in line:  # a Dockerfile's base, distrobox's --image
            at = _IMAGE_AT.search(stripped)
            if at:
                self._image(n, stripped, [at.group("img")])
        elif "docker://" in line:  # apptainer/singularity pull, exec, run or build from a registry image
            self._image(n, stripped, [w[w.index("docker://") + 9:].rstrip("`'\",;.)") for w in line.split()
                                      if "docker://" in w][:4])
        low = line.lower() if ("vidia" in line or "VIDIA" in line or "pus" in line or "--nv" in line) else ""
        # (a plain string the regex needs: most lines that name NVIDIA are paths and log lines)
        if low and passes(_GPU_REQUEST_NEED, low):
            g = _GPU_REQUEST.search(line)
            if g:
                self.state("gpu_request", g.group(0), n, stripped, False)
        if "--" in line and "cpu" in line:
            flag = _CPU_FLAG.search(line)
            # a line that runs the program: in a pasted block or script, or one that starts with the command, or a
            # command quoted in a sentence ("Its ExecStart is `…/python main.py --listen --cpu`")
            if flag and (self.in_fence or line.startswith(("    ", "\t")) or _COMMAND_LINE.match(stripped)):
                # (a fact keeps 300 characters of its line: a longer command is kept up to its option)
                self.state("cpu_flag", flag.group(0), n, stripped if len(stripped) <= 300 else
                           stripped[max(0, flag.end() - 300):flag.end()], False)
            elif flag and "`" in line:
                spans = (q.group(1) for q in itertools.islice(_INLINE_CODE.finditer(line), 20))  # (a bounded look)
                quoted = next((c for c in spans if (_COMMAND_LINE.match(c) or _RUNS_PYTHON.search(c)) and cpu_options.find(c)),
                              None)
                if quoted:  # (the command itself is the statement, as a pasted one is)
                    self.state("cpu_flag", _CPU_FLAG.search(quoted).group(0), n, quoted, True)
        if "keras" in line and _KERAS_IMPORT.match(line):
            self.state("keras_import", "", n, stripped, False)
        if "No module named" in line:
            mm = _NO_MODULE.search(line)
            if mm:
                self.state("module_missing", mm.group("v").split(".")[0], n, stripped, False)
        b = _IS_CUDA_BUILD.rx.search(line) if _IS_CUDA_BUILD in self.todo else None
        if b:
            self.formats.add("tf_build_info")
            self.state("tf_built_with_cuda", b.group("a"), n, stripped, False)
        g = _NUM_GPUS.rx.search(line) if _NUM_GPUS in self.todo else None
        if g:
            self.state("tf_gpus", g.group("n"), n, stripped, False)
        if " torch-" in line and "Python-" in line:
            banner = _YOLO_BANNER.search(line)
            if banner:
                self.state("python", banner.group("py"), n, stripped, False)
                self.state("torch_version", banner.group("torch"), n, stripped, False)
        if "(you have " in line:
            have = _XFORMERS_HAVE.search(line)
            if have:
                self.state("torch_version", have.group("v"), n, stripped, False)
        if '"backend"' in line:
            kj = _KERAS_JSON.search(line)  # keras.json pasted or quoted: the backend Keras 3 loads unless KERAS_BACKEND says another
            if kj:
                self.state("keras_backend", kj.group(1), n, stripped, False)
        if ("Using " in line or "using " in line) and " backend" in line:
            kb = _KERAS_SAYS.search(line)  # Keras 2 prints the backend it runs on when imported
            if kb:
                self.state("keras_backend", kb.group(1).lower(), n, stripped, False)
        if self.text_chars <= cue_table.CUE_CHARS and ("GPU" in line or "gpu" in line or "card" in line or
                                                       _MODELS.search(line)):
            c = _GPU_COUNT.search(line)  # a statement: read in the reporter's part, like the cues
            if c:
                said = c.group("n") or c.group("n2")
                count = {"one": "1", "a single": "1", "single": "1", "only one": "1", "two": "2", "four": "4",
                         "eight": "8"}.get(said.lower(), said)
                self.state("gpu_count", count, n, stripped, True)
        nd = _NO_DIST.rx.search(line) if _NO_DIST in self.todo else None
        pi = _PIP_INSTALL.rx.search(line) if _PIP_INSTALL in self.todo else None
        if nd:
            pkg = nd.group("pkg") or nd.group("pkg2") or (pi.group("args").split()[0].strip("`'\"") if pi else None)
            if pkg:
                self.state("pip_no_dist", pkg, n, stripped, bool(nd.group("retold")))
        installs = pi is not None
        for _ in range(4 if pi else 0):  # a sentence may retell several: "`pip install x` -> …, then `pip install y`"
            args = _END_OF_COMMAND.split(pi.group("args")[:200], maxsplit=1)[0]
            self.state("pip_install", args, n, stripped, True)
            pi = _PIP_INSTALL.rx.search(line, pi.start("args") + len(args) + 1)
            if pi is None:
                break
        if not installs and ("==" in line or "jax[cuda" in line):
            # a pin in a requirements file or a sentence ("pins tensorflow-cpu==2.12.0"), or JAX's CUDA extra named
            # as what was installed ("jax[cuda12] 0.4.30"): the extra alone says which CUDA build it is
            for pin in _PIN.finditer(line):
                if not _NOT_BEFORE.search(line[max(0, pin.start() - 24):pin.start()]):
                    self.state("pip_install", pin.group(0), n, stripped, True)
        bn = _BANNER.match(stripped) if stripped.startswith("Python ") else None
        if bn:
            self.state("python", bn.group("v"), n, stripped, False)
        pp = _PY_PATH.search(line) if ("ython" in line and ("packages" in line or "\\" in line)) else None
        if pp:
            v = pp.group("v") or f"{pp.group('w')[0]}.{pp.group('w')[1:]}"
            self.state("python", v, n, stripped, False)

    def _fields(self, n: int, line: str, stripped: str) -> None:
        if self.pending_heading is not None:
            fact, program = self.pending_heading
            if stripped.startswith("#"):
                self.pending_heading = None
            elif not stripped.startswith("```"):
                self.pending_heading = None
                self.field(fact, program, stripped, n, stripped)
                return
        h = _HEADING.match(line) if stripped.startswith("#") else None
        if h:
            self.pending_heading = _field_key(h.group("key"))
            return
        if stripped[:1] == "|" and 3 <= stripped.count("|") <= 4 and "--" not in stripped:
            # a Markdown table of the environment ("| CUDA toolkit | 13.0 |"), as issue templates ask for it
            cells = [c.strip().strip("*`").strip() for c in stripped.strip("|").split("|")]
            k = _field_key(cells[0]) if len(cells) >= 2 and cells[1] and 0 < len(cells[0]) <= 50 else None
            if k:
                self.field(k[0], k[1], cells[1], n, stripped)
                return
        f = _FIELD.match(line) if (":" in line or "：" in line) else None
        if f and len(f.group("key")) <= 50:
            k = _field_key(f.group("key"))
            if k is None and self.program_keys:
                return  # another field of collect_env's dump ("GCC version: (Ubuntu 7.5.0-3ubuntu1~18.04)"): no prose
            if k:
                self.field(k[0], k[1], f.group("val"), n, stripped)
                if len(f.group("val")) < 24:
                    return  # a form's field; a longer value is a sentence too ("TF version: 2.4.1, CUDA 10.1, cuDNN 7.6")
        if self.text_chars > cue_table.CUE_CHARS:
            return  # versions and names in sentences: the reporter's part, as for the cues
        needed: list[tuple[int, int]] = []  # spans of "needs CUDA X": that X is no installed CUDA
        for key, rx in _PROSE_VERSIONS:
            if rx not in self.todo:
                continue
            found = (m for m in rx.rx.finditer(line) if not any(a <= m.start("v") < b for a, b in needed))
            # a framework's versions: every one a sentence gives ("the tutorial asks for 1.10, I went down to 1.13.1")
            # ...and every GPU it names ("the Intel UHD does the work instead of my NVIDIA RTX 2060")
            for pm in (itertools.islice(found, 4) if key in _VERSION_KEYS or key == "gpu" else [next(found, None)]):
                if pm is None:
                    continue
                if key in ("cuda_needed", "torch_build_cuda"):
                    needed.append(pm.span("v"))
                now = key in _VERSION_KEYS and bool(_CHANGED_TO.search(line[max(0, pm.start() - 50):pm.start()]))
                if key == "cuda" and _WOULD_GO_TO.search(line[max(0, pm.start() - 60):pm.start()]):
                    continue  # "that would mean dropping to CUDA 9.0": a release considered, not installed
                if key == "cuda" and _SMI_SAYS.search(line[max(0, pm.start() - 80):pm.start()]):
                    key = "smi_cuda"  # "nvidia-smi works (driver 550, CUDA 12.4)": the driver's CUDA, no toolkit
                self.state(key, pm.group("v"), n, stripped, True, now)
        b = _CONDA_BUILD.rx.search(line) if _CONDA_BUILD in self.todo else None
        if b and b.group("name").startswith("tensorflow"):
            self.state("tf_built_with_cuda", "False" if b.group("cpu") or b.group("cpu2") else "True", n, stripped, True)
        elif b:
            cu = b.group("cu") or (f"{b.group('cu2')[:2]}.{b.group('cu2')[2]}" if b.group("cu2") else None)
            self.state("torch_version_cuda", "None" if b.group("cpu") or b.group("cpu2") else cu, n, stripped, True)

    def _installed_line(self, n: int, stripped: str) -> None:
        """pip's "Successfully installed torch-2.12.0 numpy-2.1.0": what pip just put in place (program output)."""
        for word in stripped.split()[2:60]:
            m = _INSTALLED_TOKEN.match(word)
            if m and _RELEVANT.match(m.group("name")):
                ver = m.group("ver")
                build = ver.split("+", 1)[1] if "+" in ver else ""
                self.packages.append(ListedPackage(m.group("name"), ver.split("+", 1)[0], build, n, stripped[:300]))
                self.formats.add("pip_install_output")

    def _packages(self, n: int, line: str, stripped: str) -> None:
        if stripped.startswith("Successfully installed "):
            self._installed_line(n, stripped)
            return
        if stripped.startswith(("Collecting ", "Requirement already satisfied")) and ("->" in stripped or
                                                                                       stripped.startswith("Collecting")):
            # pip collects a framework itself, or as a dependency of what is installed ("(from astunparse->tensorflow<2.16,
            # >=2.15.0->tensorflow-text->keras-nlp)"): the install brings its own release of it
            c = _PIP_COLLECTS.search(stripped)
            if c:
                self.state("pip_collects", (c.group("a") or c.group("b")).lower(), n, stripped, False)
        if self.pending_pip_show is not None:
            name, self.pending_pip_show = self.pending_pip_show, None
            if stripped.startswith("Version:"):
                self.packages.append(ListedPackage(name, stripped.split(":", 1)[1].strip(), "", n, stripped))
                self.formats.add("pip_show")
                return
        relevant = stripped[:12].lower().startswith(_RELEVANT_START)
        m = (_PIP_FREEZE.match(line) or _PIP_LIST.match(line) or _PIP_LIST_LEGACY.match(line)) if relevant else None
        if m and _RELEVANT.match(m.group("name")):
            ver = m.group("ver")
            build = (m.groupdict().get("build") or "") if m.re is _PIP_LIST else ""
            if "+" in ver:
                ver, build = ver.split("+", 1)[0], ver.split("+", 1)[1]
            self.packages.append(ListedPackage(m.group("name"), ver, build, n, stripped))
            self.formats.add("package_list")
            return
        c = _CONDA_PLAN.match(line) if relevant and ("::" in line or "|" in line) else None
        if c and _RELEVANT.match(c.group("name") or c.group("name2")):
            self.packages.append(ListedPackage(c.group("name") or c.group("name2"), c.group("ver") or c.group("ver2"),
                                               c.group("build") or c.group("build2"), n, stripped))
            self.formats.add("conda_plan")
            return
        s = _PIP_SHOW.match(stripped) if stripped.startswith("Name:") else None
        if s and _RELEVANT.match(s.group("name")):
            self.pending_pip_show = s.group("name")


_FILTERS = (_DOCKER, _ENV, _IS_CUDA_BUILD, _NUM_GPUS, _NO_DIST, _PIP_INSTALL, *(f for _, f in _REPL))
# The reporter's words (versions in sentences, cues) are read only in the head of a report (cue_table.CUE_CHARS
# of sentences): their many common needles ("gpu", "cuda", "install") are looked for only in the first
# WORDS_SPAN characters, which holds that head unless it is mostly log lines.
_WORDS = (*(f for _, f in _PROSE_VERSIONS), _CONDA_BUILD, *(f for _, f in cue_table.FILTERED))
WORDS_SPAN = 4 * cue_table.CUE_CHARS
WORDS_STRETCH = cue_table.CUE_CHARS // 4


def _pieces(numbered, seen: list[int]):
    """(line number, piece) of the report's lines, one at a time: pieces of at most PIECE characters (cut at a
    blank when there is one); `seen[0]` keeps the last line number made.

    Made lazily so that a huge paste is never held as a list of lines. Regexes then never see more than
    PIECE characters at once, so one enormous line (a minified paste, a progress bar without line ends)
    costs time in proportion to its length, like many short lines, and the plain-string prefilter still
    tells its pieces apart. Real messages are far shorter.
    """
    for n, text in numbered:
        if n > MAX_LINES:
            return
        seen[0] = n
        at, end = 0, len(text)  # offsets, not shrinking copies: a copy of the rest per piece would be quadratic
        while end - at > PIECE:
            cut = text.rfind(" ", at + PIECE // 2, at + PIECE)
            cut = at + PIECE if cut < 0 else cut + 1
            yield n, text[at:cut]
            at = cut
        yield n, text[at:end]


def _stretch(texts: list[str], start: int, end: int, chars: int) -> int:
    """The end of the stretch of distinct lines from `start` that holds about `chars` characters."""
    size = 0
    while start < end and size < chars:
        size += len(texts[start]) + 1
        start += 1
    return start


def _needle(r) -> tuple[frozenset[str], ...]:
    return (frozenset([r.needle]),) if r.needle.isascii() else ()


def extract(report: str | ReportText) -> TriageFacts:
    source = report if isinstance(report, ReportText) else ReportText(report)
    last = [0]
    stream = _pieces(source.numbered(), last)
    reader = _Reader()
    seen = 0  # characters of distinct lines indexed for the reporter's words so far
    # Blocks bound the memory of the index and its plans on a huge paste; the reader's state carries over.
    while True:
        numbered = list(islice(stream, BLOCK))
        if not numbered:
            break
        block = [p for _, p in numbered]
        # A log repeats lines (retries, one message per GPU or step): index each distinct text once.
        texts = list(dict.fromkeys(block))
        distinct = {p: i for i, p in enumerate(texts)}
        index = LineIndex(texts)
        todo = index.plan(_FILTERS, lambda f: f.need)
        rows = index.plan(log_rows(), _needle)
        head = 0  # distinct lines (in first-seen order) within WORDS_SPAN of the report's start
        while head < len(texts) and seen < WORDS_SPAN:
            seen += len(texts[head]) + 1
            head += 1
        words: dict[int, list] = {}
        indexed = 0  # distinct lines of the head whose words are planned so far
        planned = 0  # ...and their characters
        for i, piece in enumerate(block):
            d = distinct[piece]
            if indexed <= d < head and reader.text_chars <= cue_table.CUE_CHARS:
                # The words are planned a stretch at a time, and only while the reader still wants them: in a
                # report of sentences the reporter's part ends after CUE_CHARS, well before the head does.
                # Each stretch is as long as all before it: a report of logs, whose head is read to its end,
                # costs a few plans (each string is looked for once per plan), a report of sentences at most
                # twice the head it reads.
                upto = _stretch(texts, d, head, max(WORDS_STRETCH, planned))
                planned += sum(len(t) + 1 for t in texts[d:upto])
                for k, items in LineIndex(texts[d:upto]).plan(_WORDS, lambda f: f.need).items():
                    words[d + k] = items
                indexed = upto
            maybe = todo.get(d, []) + words.get(d, []) if d in todo or d in words else None
            low = None
            if maybe:
                low = lowered(piece)
                maybe = [f for f in maybe if passes(f.need, low)]
            reader.todo = maybe or ()
            reader.low = low
            reader.rows = rows.get(d)
            reader.line(numbered[i][0], piece)
    return TriageFacts(
        lines=last[0],
        formats=tuple(sorted(reader.formats)),
        pci=tuple(reader.pci),
        log=tuple(reader.log),
        stated=tuple(reader.stated),
        cues=tuple(reader.cues),
        packages=tuple(reader.packages),
        prose_log_lines=tuple(sorted(reader.prose_log)),
    )
