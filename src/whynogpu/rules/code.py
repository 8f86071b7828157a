"""The user's own code: statements that hide the GPU or pin work to the CPU.

The facts come from the `code_scan` probe (`whynogpu check --scan PATH`) or from
`whynogpu scan`, both of which parse sources without running them (whynogpu/scan/).
How sure a finding is follows where the statement sits: at module level (or under
`if __name__ == "__main__":`) it runs whenever the script runs, so it is an error; inside
a function, an `if` or a notebook `!` line it may not run, so it is a warning; in a test
file it is most likely deliberate, so it is a hint.
"""

from __future__ import annotations

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit, ScanFacts
from whynogpu.facts.files import FileScanFacts
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.parsers import cpu_options
from whynogpu.parsers.cuda_visible_devices import names_a_later_gpu, parse_visible_devices
from whynogpu.rules import rule, summary
from whynogpu.rules.environment import gpu_count
from whynogpu.rules.files import launch_commands

MODES = ("scan", "check", "triage")
_BY_CONTEXT = {F.MODULE: Severity.ERROR, F.MAIN: Severity.ERROR, F.CONDITIONAL: Severity.WARNING,
               F.FUNCTION: Severity.WARNING, F.CLASS: Severity.WARNING, F.SHELL: Severity.WARNING, F.COMMAND: Severity.ERROR,
               F.TEST: Severity.HINT, F.ASKED: Severity.HINT}
_WHERE = {F.MODULE: "at module level, so it runs every time", F.MAIN: "in the script's __main__ block",
          F.CONDITIONAL: "under a condition", F.FUNCTION: "inside a function",
          F.CLASS: "in a class body: it forces nothing until the attribute is used",
          F.SHELL: "in a notebook shell line (only that command sees it)", F.TEST: "in a test file",
          F.COMMAND: "in the command that starts the program, every time it starts",
          F.ASKED: "only when the program is asked for the CPU (a test of its own CPU option)"}


def severity(h: CodeHit) -> Severity:
    return _BY_CONTEXT.get(h.context, Severity.WARNING)


def hits(snap, code: str, *patterns: str) -> list[CodeHit]:
    """Hits of the given patterns that no `# whynogpu: ignore[...]` comment silences."""
    facts = snap.get(ScanFacts)
    if facts is None:
        return []
    return [h for h in facts.hits if h.pattern in patterns and "*" not in h.ignored and code not in h.ignored]


def location(h: CodeHit) -> Location:
    return Location(h.path, h.line, h.column)


def seen(h: CodeHit) -> Evidence:
    where = h.extra.get("where") or _WHERE.get(h.context, h.context)
    return Evidence(f"`{h.statement}` ({where})", f"{h.path}:{h.line}:{h.column}")


def corrected(h: CodeHit, text: str, delete: str) -> Fix:
    """A fix showing the corrected line, or the line to delete when no one-line correction exists."""
    if h.fixed:
        return Fix(text, (h.fixed,))
    return Fix(delete, (f"# delete: {h.statement}",))


@summary("code")
def code_summary(snap):
    facts = snap.get(ScanFacts)
    if facts is None:
        return None
    skipped = f", {len(facts.skipped)} skipped" if facts.skipped else ""
    return f"scanned {facts.files_scanned} file{'s' if facts.files_scanned != 1 else ''}{skipped}"


@rule(
    "WG701", "cuda_visible_devices_hidden_in_code", "cuda_visible_devices_hidden",
    "The code sets CUDA_VISIBLE_DEVICES to a value that hides the GPU",
    detects="`os.environ['CUDA_VISIBLE_DEVICES'] = …` (also setdefault, putenv, environ.update, `%env` and "
            "`!export` in notebooks) with an empty value, -1, or a first index past the machine's last GPU; with the "
            "machine unknown (a scan), a warning for a first index beyond the first GPU (`= \"7\"`).",
    why="CUDA enumerates only the devices the variable names and stops at the first invalid entry, so the "
        "process sees no GPU however healthy the stack is; a script that sets it overrides the shell.",
    example="train.py:3:1 os.environ['CUDA_VISIBLE_DEVICES'] = '-1' (module level)",
    fix="Delete the line, or set the variable to an index that exists (0 on a one-GPU machine).",
    references=("https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars",),
    modes=MODES,
)
def cuda_visible_devices_hidden_in_code(info, snap):
    count = gpu_count(snap) or None  # no GPU at all: the value cannot be judged against the machine
    # GPUs shown but not counted (a report pasting some of nvidia-smi's rows): an index beyond the first may be one
    # of those shown, so it stays a hint; with nothing of the machine shown (a scan), it is judged as written
    gpus_shown = any(r.name == "gpu" and r.facts is not None for r in snap.probes)
    for h in hits(snap, info.code, "cuda_visible_devices"):
        vd = parse_visible_devices(h.value or "", count)
        sev, why = severity(h), vd.stop_reason
        later = h.extra.get("overridden_at")
        if later and vd.hides_all:
            # a default the program replaces on some runs (`if args.gpus: os.environ[…] = args.gpus`): those get GPUs
            yield info.finding(
                Severity.HINT, [seen(h), Evidence(f"CUDA_VISIBLE_DEVICES={h.value!r}: {why}; line {later} sets it "
                                                  "again", h.path)],
                f"This hides every GPU unless line {later} sets the variable again: a run that does not take that "
                "path stays on the CPU.",
                corrected(h, "If the CPU is not meant as the default, name a GPU here:", "Delete this line:"),
                location=location(h),
            )
            continue
        if not vd.hides_all:
            first = names_a_later_gpu(vd)
            if count is not None or first is None:
                continue  # names GPUs that exist (or the first GPU, which any machine with one has)
            # a warning: the index belongs to the machine it was written on; on one with fewer GPUs (a desktop or a
            # laptop has one) CUDA sees none, the commonest cause of "No CUDA GPUs are available" in shared scripts
            sev = Severity.HINT if gpus_shown else Severity.WARNING
            why = f"it names GPU {first} first; a machine with {first} GPU(s) or fewer has none visible"
        yield info.finding(
            sev, [seen(h), Evidence(f"CUDA_VISIBLE_DEVICES={h.value!r}: {why}", h.path)],
            "CUDA only shows this process the devices named in CUDA_VISIBLE_DEVICES, so with this value every "
            "framework finds no GPU and runs on the CPU." if not vd.accepted else
            "CUDA stops at the first device index that does not exist, so on a machine with fewer GPUs this "
            "line hides all of them (a common cause of 'No CUDA GPUs are available').",
            corrected(h, "Name a GPU that exists (or delete the line to see them all):",
                      "Delete this line so the process sees every GPU:"),
            location=location(h),
        )


@rule(
    "WG702", "keras_backend_set_after_import", "keras_backend_other",
    "KERAS_BACKEND is set after Keras was imported, so it has no effect",
    detects="An assignment of KERAS_BACKEND (os.environ, %env) that comes after `import keras` or "
            "`import keras_core` in the same file or an earlier notebook cell.",
    why="Keras reads KERAS_BACKEND once, when it is first imported; setting it later leaves Keras on the "
        "backend it already chose (TensorFlow by default), not the one whose GPU build you installed.",
    example="notebook.ipynb:cell 2:1:1 os.environ['KERAS_BACKEND'] = 'jax' (keras imported in cell 1, line 2)",
    fix="Move the assignment above the first `import keras`, or set KERAS_BACKEND in the shell or keras.json.",
    references=("https://keras.io/getting_started/#configuring-your-backend",
                "https://github.com/keras-team/keras/issues/19423"),
    modes=MODES,
)
def keras_backend_set_after_import(info, snap):
    for h in hits(snap, info.code, "keras_backend"):
        imported = h.extra.get("keras_imported_at")
        if not imported:
            continue
        yield info.finding(
            Severity.HINT if h.context == F.TEST else Severity.WARNING,
            [seen(h), Evidence(f"keras was already imported ({imported})", h.path)],
            f"Keras picked its backend when it was imported, so this line does not switch it to {h.value!r}: "
            "the model runs on the default backend, which may have no GPU build installed.",
            Fix("Set the backend before the first `import keras` (first line of the script or first cell):",
                (h.statement, "import keras")),
            location=location(h),
        )


@rule(
    "WG703", "keras_backend_forced_in_code", "keras_backend_other",
    "The code forces a Keras backend",
    detects="An assignment of KERAS_BACKEND in code (before Keras is imported).",
    why="The named backend is the one Keras uses whatever the shell or keras.json says; the GPU is used only if "
        "that framework has a CUDA build installed in the same environment.",
    example="train.py:2:1 os.environ['KERAS_BACKEND'] = 'torch'",
    fix="Make sure the named framework's GPU build is installed, or remove the line to use keras.json/the shell.",
    references=("https://keras.io/getting_started/#configuring-your-backend",),
    modes=MODES,
)
def keras_backend_forced_in_code(info, snap):
    for h in hits(snap, info.code, "keras_backend"):
        if h.extra.get("keras_imported_at"):
            continue
        yield info.finding(
            Severity.HINT,
            [seen(h), Evidence(f"KERAS_BACKEND={h.value!r}", h.path)],
            f"Keras will run on {h.value!r} whatever else is configured, so that framework's GPU build is the one "
            "that has to work.",
            Fix(f"Check that {h.value}'s CUDA build is installed (`whynogpu check` shows it), or delete the line:",
                (f"# delete: {h.statement}",)),
            location=location(h),
        )


@rule(
    "WG704", "tensorflow_beside_jax_takes_gpu_memory", "gpu_memory_exhausted",
    "TensorFlow runs beside JAX without being kept off the GPU",
    detects="A script that imports TensorFlow and JAX (or Flax, Haiku, Optax, Equinox) and never calls "
            "tf.config.set_visible_devices([], 'GPU').",
    why="Both frameworks take most of the GPU's memory when they start (JAX 75 %, TensorFlow nearly all): with a GPU "
        "build of TensorFlow loaded for its data pipeline, JAX runs out of memory or falls back to the CPU.",
    example="train.py:21:1 import tensorflow as tf (beside import jax, no set_visible_devices)",
    fix="Hide the GPU from TensorFlow before it starts: tf.config.set_visible_devices([], 'GPU'); or install "
        "tensorflow-cpu where TensorFlow only loads data.",
    references=("https://docs.jax.dev/en/latest/gpu_memory_allocation.html",),
    modes=MODES,
)
def tensorflow_beside_jax_takes_gpu_memory(info, snap):
    for h in hits(snap, info.code, "tf_beside_jax"):
        yield info.finding(
            Severity.HINT if severity(h) is Severity.HINT else Severity.WARNING,
            [seen(h), Evidence("the script also computes with JAX, and nothing hides the GPU from TensorFlow", h.path)],
            "With TensorFlow's GPU build installed, TensorFlow and JAX each take most of the GPU's memory when they "
            "start, so JAX runs out of memory (or TensorFlow does).",
            Fix("Keep TensorFlow (its data pipeline) off the GPU, right after importing it:",
                ('tf.config.set_visible_devices([], "GPU")',)),
            location=location(h),
        )


@rule(
    "WG711", "tf_device_scope_cpu", "code_forces_cpu",
    "Model code runs inside `tf.device('/CPU:0')`",
    detects="A `with tf.device('/CPU:0'):` block (any CPU device string, any alias of tf.device).",
    why="Ops created inside the block are placed on the CPU even when a GPU is visible; when the model is "
        "built or trained inside it, the whole training runs on the CPU.",
    example="train.py:12:1 with tf.device('/CPU:0'): … model.fit(…)",
    fix="Remove the block or use '/GPU:0'; keep only input preprocessing on the CPU.",
    references=("https://www.tensorflow.org/guide/gpu#manual_device_placement",),
    modes=MODES,
)
def tf_device_scope_cpu(info, snap):
    for h in hits(snap, info.code, "tf_device_cpu"):
        builds = h.extra.get("builds_model") == "yes"
        if h.extra.get("replicated_at"):
            yield info.finding(
                Severity.HINT, [seen(h), Evidence(f"line {h.extra['replicated_at']} replicates the model with "
                                                  "multi_gpu_model", h.path)],
                "This builds the template model on the CPU, as Keras' multi_gpu_model documentation does; the "
                "replicas train on the GPUs. A run that skips multi_gpu_model (one GPU) trains the template itself, "
                "on the CPU.",
                Fix("Nothing to change when the file runs with two or more GPUs.", ()),
                location=location(h),
            )
            continue
        yield info.finding(
            severity(h) if builds else Severity.HINT,
            [seen(h), Evidence("the block builds or trains a model" if builds else
                               "the block does not build or train a model", h.path)],
            "Everything created inside this block is placed on the CPU" +
            (", including the model, so training never touches the GPU." if builds else
             "; fine for input preprocessing, but not for model code."),
            corrected(h, "Place the block on the GPU (or remove it and let TensorFlow choose):",
                      "Remove the device scope:"),
            location=location(h),
        )


@rule(
    "WG712", "tf_gpus_made_invisible", "code_forces_cpu",
    "The code hides the GPUs from TensorFlow with set_visible_devices",
    detects="`tf.config.set_visible_devices([], 'GPU')` (also the experimental and compat.v1 spellings), or "
            "`set_visible_devices(tf.config.list_physical_devices('CPU'))` with no device type.",
    why="TensorFlow creates no logical device for a physical device that is not visible, so no op can be "
        "placed on the GPU.",
    example="train.py:5:1 tf.config.set_visible_devices([], 'GPU')",
    fix="Delete the call, or pass the GPUs to keep: set_visible_devices(tf.config.list_physical_devices('GPU'), 'GPU').",
    references=("https://www.tensorflow.org/api_docs/python/tf/config/set_visible_devices",),
    modes=MODES,
)
def tf_gpus_made_invisible(info, snap):
    for h in hits(snap, info.code, "tf_set_visible_devices"):
        other = h.extra.get("computes_with")
        if other:
            yield info.finding(
                Severity.HINT, [seen(h), Evidence(f"the program computes with {other}; TensorFlow only reads data", h.path)],
                f"This keeps TensorFlow (its data pipeline) off the GPU so that it takes none of the memory {other} "
                "needs, as JAX's documentation advises. Fine unless TensorFlow also runs a model here.",
                Fix("Nothing to change when TensorFlow only loads data.", ()),
                location=location(h),
            )
            continue
        yield info.finding(
            severity(h),
            [seen(h), Evidence(f"visible devices: {h.value}, device type: {h.extra.get('device_type')}", h.path)],
            "After this call TensorFlow has no visible GPU, so every op runs on the CPU.",
            corrected(h, "Make the GPUs visible again (or delete the call):", "Delete the call:"),
            location=location(h),
        )


@rule(
    "WG713", "tf_session_without_gpus", "code_forces_cpu",
    "A TensorFlow session is configured with zero GPUs",
    detects="`ConfigProto(device_count={'GPU': 0})` (tf.ConfigProto, tf.compat.v1.ConfigProto, `dict(GPU=0)`).",
    why="device_count caps how many devices of each type the session may use; 0 GPUs means the session "
        "places everything on the CPU.",
    example="train.py:8:1 config = tf.compat.v1.ConfigProto(device_count={'GPU': 0})",
    fix="Remove the GPU entry from device_count, or set it to the number of GPUs to use.",
    references=("https://www.tensorflow.org/api_docs/python/tf/compat/v1/ConfigProto",),
    modes=MODES,
)
def tf_session_without_gpus(info, snap):
    for h in hits(snap, info.code, "tf_device_count_gpu_zero"):
        yield info.finding(
            severity(h), [seen(h), Evidence("device_count['GPU'] = 0", h.path)],
            "A session created with this configuration may use no GPU, so its graph runs on the CPU.",
            corrected(h, "Allow the session a GPU:", "Remove device_count from the configuration:"),
            location=location(h),
        )


@rule(
    "WG714", "jax_platform_forced_cpu", "code_forces_cpu",
    "The code makes JAX use the CPU platform",
    detects="`jax.config.update('jax_platform_name', 'cpu')`, `jax.config.update('jax_platforms', 'cpu…')`, "
            "`jax.config.update('jax_default_device', jax.devices('cpu')[0])`, `numpyro.set_platform('cpu')` (or a "
            "project's own set_jax_platform('cpu')), or JAX_PLATFORMS / JAX_PLATFORM_NAME set to cpu in code.",
    why="JAX chooses the GPU by default when a CUDA jaxlib is installed; these settings override that choice "
        "and put every computation on the CPU backend.",
    example="train.py:4:1 jax.config.update('jax_platform_name', 'cpu')",
    fix="Delete the line so JAX picks its default (GPU first) platform.",
    references=("https://docs.jax.dev/en/latest/installation.html",),
    modes=MODES,
)
def jax_platform_forced_cpu(info, snap):
    for h in hits(snap, info.code, "jax_platform_config", "jax_platform_env"):
        if h.pattern == "jax_platform_env" and (h.value or "").split(",")[0].strip().lower() != "cpu":
            continue
        what = h.extra.get("option") or h.extra.get("variable")
        yield info.finding(
            severity(h), [seen(h), Evidence(f"{what} = {h.value!r}", h.path)],
            "This makes CPU the platform JAX computes on, so the GPU stays idle even with a CUDA jaxlib.",
            Fix("Delete this line (JAX then prefers the GPU when its CUDA plugin is installed):",
                (f"# delete: {h.statement}",)),
            location=location(h),
        )


@rule(
    "WG715", "torch_device_hardcoded_cpu", "code_forces_cpu",
    "The code hard-codes the CPU as PyTorch's device",
    detects="`device = torch.device('cpu')` (or `= 'cpu'` in a file that imports torch, or `'cuda' if use_cuda else "
            "'cpu'` with use_cuda set to False and never to True), `model.to('cpu')` and "
            "`model.cpu()` where the name says it is the model (model, net, network), and `device='cpu'` given to a "
            "model, pipeline or config object (not to torch's own tensor factories).",
    why="PyTorch never moves work to the GPU by itself: a model and tensors on the 'cpu' device are computed on "
        "the CPU whether or not CUDA works.",
    example="train.py:10:1 device = torch.device('cpu')",
    fix="Choose the device at run time: torch.device('cuda' if torch.cuda.is_available() else 'cpu').",
    references=("https://pytorch.org/docs/stable/notes/cuda.html",),
    modes=MODES,
)
def torch_device_hardcoded_cpu(info, snap):
    for h in hits(snap, info.code, "torch_device_cpu", "torch_model_to_cpu"):
        what = "the model is moved to the CPU" if h.pattern == "torch_model_to_cpu" else \
            f"{h.extra['given_to']}() is given the CPU as its device" if h.extra.get("given_to") else "the device is fixed to 'cpu'"
        if h.extra.get("switch"):
            what += f": the GPU only if {h.extra['switch']}, which the code sets to False and never to True"
        if h.extra.get("beside"):
            what += f", in a device variable of its own beside {h.extra['beside']}, which is given the GPU"
        if h.extra.get("overridden_at"):  # a default: line N gives the device again when the GPU is there
            what += f", a default: line {h.extra['overridden_at']} gives {h.extra.get('target', 'it')} a device again"
        yield info.finding(
            Severity.HINT if h.extra.get("beside") or h.extra.get("overridden_at") else severity(h),
            [seen(h), Evidence(what, h.path)],
            "Everything placed on this device is computed on the CPU; PyTorch does not move it to the GPU on its own.",
            corrected(h, "Pick the GPU when there is one:", "Delete the line:"),
            location=location(h),
        )


@rule(
    "WG720", "trainer_told_to_use_cpu", "code_forces_cpu",
    "A training framework's Trainer is told to train on the CPU",
    detects="Lightning's `Trainer(accelerator=\"cpu\")`, or `Trainer(gpus=0)` (Lightning 1.x: the number of GPUs; "
            "0, or 0 in one branch and None in the other, is none), and Hugging Face's `TrainingArguments(use_cpu="
            "True)` or `no_cuda=True`.",
    why="These trainers place the model and every batch themselves, on the device their arguments name: told the CPU, "
        "they train there however well CUDA works, and move a model already on the GPU back.",
    example="train.py:28:15 trainer = Trainer(gpus=0 if torch.cuda.is_available() else None)",
    fix="Let the trainer pick the GPU: Trainer(accelerator=\"auto\") (Lightning 1.x: gpus=1), and drop use_cpu/no_cuda.",
    references=("https://lightning.ai/docs/pytorch/stable/common/trainer.html#accelerator",
                "https://huggingface.co/docs/transformers/main_classes/trainer#transformers.TrainingArguments"),
    modes=MODES,
)
def trainer_told_to_use_cpu(info, snap):
    for h in hits(snap, info.code, "trainer_cpu"):
        yield info.finding(
            severity(h), [seen(h), Evidence(f"{h.value}: the {h.extra.get('trainer', 'trainer')} trainer trains on the "
                                            "CPU", h.path)],
            "The trainer puts the model and the data on the CPU, so the GPU is never used for training.",
            Fix("Let the trainer choose the GPU:", ('Trainer(accelerator="auto")' if h.extra.get("trainer") == "lightning"
                                                    else "TrainingArguments(...)   # without use_cpu / no_cuda",)),
            location=location(h),
        )


@rule(
    "WG706", "device_option_defaults_to_cpu", "code_forces_cpu",
    "The program's device option defaults to the CPU",
    detects='A command-line option that chooses the device or platform (`--device`, `--platform`, `--accelerator`; '
            'argparse\'s add_argument or click.option) whose default is "cpu", or a switch that turns the GPU on '
            '(`--cuda`, `--use-gpu`, `--accel`: store_true or is_flag), which is off unless it is given.',
    why="Run the way most people run it, with no options, the program computes on the CPU however well the GPU "
        "works; the GPU is opt-in.",
    example='covtype.py:66:5 parser.add_argument("--device", default="cpu", type=str)',
    fix='Start it with the option (`--device cuda`, or "gpu" where the program names it so), or make the GPU the '
        'default when there is one: default="cuda" if torch.cuda.is_available() else "cpu".',
    references=("https://docs.python.org/3/library/argparse.html#default",),
    modes=MODES,
)
def device_option_defaults_to_cpu(info, snap):
    for h in hits(snap, info.code, "option_default_cpu"):
        option = (h.value or "").split(" ")[0] or "--device"
        command = f"python {h.file.rsplit('/', 1)[-1]} {option}"
        yield info.finding(
            Severity.HINT if h.context == F.TEST else Severity.WARNING, [seen(h), Evidence(h.value or "", h.path)],
            "Started without this option the program computes on the CPU: the GPU is used only when it is asked for.",
            Fix("Give the switch when starting it:", (command,)) if h.extra.get("switch") else
            Fix("Ask for the GPU when starting it (the name the program takes: cuda or gpu):", (f"{command} cuda",)),
            location=location(h),
        )


@rule(
    "WG707", "colab_notebook_without_gpu_runtime", "no_nvidia_gpu",
    "A Colab notebook asks for no GPU runtime",
    detects='A notebook saved by Colab (its "colab" metadata) that uses PyTorch, TensorFlow, Keras or JAX and has no '
            '"accelerator": "GPU" (nor a gpuType) in its metadata.',
    why="Colab opens a notebook on the runtime its metadata asks for, and the default runtime has no GPU: the "
        "framework finds none and runs on the CPU. Change runtime type writes the accelerator into the notebook.",
    example='train.ipynb:112:2 notebook metadata "colab" with no "accelerator": "GPU"',
    fix="In Colab: Runtime > Change runtime type > GPU, then save the notebook (its metadata then holds "
        '"accelerator": "GPU").',
    references=("https://research.google.com/colaboratory/faq.html",),
    modes=MODES,
)
def colab_notebook_without_gpu_runtime(info, snap):
    for h in hits(snap, info.code, "colab_cpu_runtime"):
        yield info.finding(
            Severity.WARNING, [seen(h), Evidence(f"it uses {h.extra.get('framework', 'a framework')}; Colab's "
                                                 "default runtime has no GPU", h.path)],
            "Opened in Colab, this notebook runs on a runtime without a GPU, so the framework computes on the CPU "
            "(run elsewhere, the metadata is ignored).",
            Fix("Ask for the GPU runtime and save the notebook:", ("Runtime > Change runtime type > GPU",)),
            location=location(h),
        )


@rule(
    "WG705", "ray_work_given_no_gpu", "code_forces_cpu",
    "Ray work is told to take no GPU",
    detects="`num_gpus=0` (in every branch) for a Ray task or actor (`@ray.remote`, `.options`) or a Ray Data map "
            "(`map_batches`, `map` …), in code that uses CUDA; the same call in code that never names CUDA is a hint.",
    why="Ray starts work that asks for no GPU with CUDA_VISIBLE_DEVICES set to an empty string, so CUDA there finds "
        "no device and a `cuda if available else cpu` choice inside it picks the CPU.",
    example="batch_inference.py:40:9 ds.map_batches(Predictor, num_gpus=0, compute=ActorPoolStrategy(size=2))",
    fix="Ask Ray for the GPU the work needs: num_gpus=1 (or a fraction to share one).",
    references=("https://docs.ray.io/en/latest/ray-core/scheduling/accelerators.html",
                "https://github.com/vllm-project/vllm/pull/3198"),
    modes=MODES,
)
def ray_work_given_no_gpu(info, snap):
    for h in hits(snap, info.code, "ray_no_gpu"):
        uses_cuda = bool(h.extra.get("cuda"))
        yield info.finding(
            severity(h) if uses_cuda else Severity.HINT,
            [seen(h), Evidence(f"{h.value}: Ray starts this work with CUDA_VISIBLE_DEVICES=\"\"", h.path)],
            "Ray gives this work no GPU, so CUDA inside it finds none and it runs on the CPU"
            + ("" if uses_cuda else " (nothing in this code names CUDA: fine if the work is meant for the CPU)") + ".",
            Fix("Ask Ray for a GPU for it:", ("num_gpus=1   # or a fraction, e.g. 0.25, to share one",)),
            location=location(h),
        )


_FILE_WHERE = {"CMD": "the image's CMD", "ENTRYPOINT": "the image's ENTRYPOINT", "command": "the service's command",
               "entrypoint": "the service's entrypoint", "command/args": "the container's command and args",
               "args": "the container's args", "ExecStart": "the service unit's ExecStart",
               "script": "a line of the launcher script"}


@rule(
    "WG718", "command_option_forces_cpu", "code_forces_cpu",
    "The command that starts the program asks for the CPU",
    detects="A launcher line, service unit, container command or script call that passes a program's own CPU option "
            "(knowledge/cpu_flags.csv: ComfyUI's --cpu, the web UI's --use-cpu all, --always-cpu, --device cpu, "
            "the Trainer's --use_cpu), also through a launcher's arguments variable (COMMANDLINE_ARGS, CLI_ARGS). "
            "Scanned files: a final image's CMD/ENTRYPOINT, compose command/entrypoint, Kubernetes command/args, "
            "shell and batch scripts, service units, a notebook's `!` lines, Python's subprocess and os.system calls; "
            "files, services and images named for the CPU are left alone.",
    why="The program does what its options say: with a CPU option it puts the model on the CPU however well the GPU "
        "stack works.",
    example="<report>:16 ExecStart=/opt/app/venv/bin/python /opt/app/main.py --listen --cpu",
    fix="Start the program without the option (for --device, name the GPU: --device cuda or --device 0).",
    references=("https://github.com/comfyanonymous/ComfyUI/blob/master/comfy/cli_args.py",
                "https://github.com/AUTOMATIC1111/stable-diffusion-webui/blob/master/modules/cmd_args.py"),
    modes=MODES,
)
def command_option_forces_cpu(info, snap):
    for h in [*hits(snap, info.code, "cpu_option"), *_launch_hits(snap, info.code)]:
        yield info.finding(
            severity(h), [seen(h), Evidence(h.extra.get("meaning", f"{h.value} asks for the CPU"), "knowledge base: cpu_flags")],
            "The program was told to use the CPU, so it never puts the work on the GPU.",
            corrected(h, "Start it without the option:", "Remove the option from the command:"),
            location=location(h),
        )


def _launch_hits(snap, code: str):
    """The commands the scanned files start programs with (Dockerfiles, compose, Kubernetes, launcher scripts) that
    pass a CPU option, as the same code hits a report's or a notebook's command lines give."""
    for df, c in launch_commands(snap.get(FileScanFacts)):
        if "*" in c.spot.ignored or code in c.spot.ignored or not cpu_options.find(c.text):
            continue
        where = _FILE_WHERE.get(c.where, f"{c.where}, which the launcher adds to the program's options")
        if c.conditional:
            where += ", under a condition or in a function, so it may not be the line that runs"
        yield cpu_options.hit(c.text, df.path, c.spot.line, c.spot.column, shown=c.spot.text,
                              context=F.CONDITIONAL if c.conditional else F.COMMAND, where=where)


@rule(
    "WG719", "model_never_on_gpu", "code_forces_cpu",
    "The program runs a PyTorch model and never puts it on the GPU",
    detects="A program (a file, a notebook's cells, the code pasted in a report) that makes a PyTorch model "
            "(from_pretrained, a Module class of its own, a model zoo, torch.load) and runs it (a training step, "
            "generate, no_grad), with nothing anywhere that places a model or tensors on a device: no .to(...), "
            ".cuda(), device= or device_map, and no library that places models itself (accelerate, Lightning, a "
            "Trainer, Ultralytics).",
    why="PyTorch makes modules and tensors on the CPU and computes where they are; it never moves them by itself, "
        "and from_pretrained loads the weights on the CPU unless asked for a device.",
    example="diarize.py:4:1 pipeline = Pipeline.from_pretrained('pyannote/speaker-diarization')",
    fix="Move the model, and the data each step, to the GPU.",
    references=("https://pytorch.org/docs/stable/notes/cuda.html",
                "https://huggingface.co/docs/transformers/main/en/main_classes/model#transformers.PreTrainedModel.from_pretrained"),
    modes=MODES,
)
def model_never_on_gpu(info, snap):
    for h in hits(snap, info.code, "model_never_on_gpu"):
        name = h.statement.split("=", 1)[0].strip() if "=" in h.statement else "model"
        yield info.finding(
            Severity.WARNING,
            [Evidence(f"`{h.statement}`: the model is made here, and nothing in the program puts it or its inputs on "
                      "a GPU", f"{h.path}:{h.line}:{h.column}")],
            "The model and its inputs stay where PyTorch made them, on the CPU, so the GPU is never used.",
            Fix("Move the model to the GPU once, and each batch of inputs (or, for a pipeline object, the whole "
                "pipeline) before it runs:",
                ('device = torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                 f"{name} = {name}.to(device)", "inputs = inputs.to(device)   # every tensor the model gets")),
            # read from the program's text as a whole (placement may sit in code the scan or the report lacks)
            location=location(h), origin="inferred",
        )


@rule(
    "WG716", "cpu_transfer_in_training_loop", "code_forces_cpu",
    "Tensors are copied to the CPU inside the training loop",
    detects="`.cpu()` or `.numpy()` inside a loop that also calls `.backward()`.",
    why="Each copy waits for the GPU to finish and moves data over PCIe, so the GPU sits idle for part of "
        "every step; with small models that can look like 'training does not use the GPU'.",
    example="train.py:42:9 acc = (pred.argmax(1) == y).cpu().numpy().mean() inside the batch loop",
    fix="Keep metrics on the GPU and copy them once per epoch (or call .item() only when logging).",
    references=("https://pytorch.org/docs/stable/notes/cuda.html#asynchronous-execution",),
    modes=MODES,
)
def cpu_transfer_in_training_loop(info, snap):
    for h in hits(snap, info.code, "cpu_sync_in_training_loop"):
        yield info.finding(
            Severity.HINT, [seen(h), Evidence(f".{h.value}() in the loop starting at line {h.extra.get('loop_line')}", h.path)],
            "Each step waits here for the GPU and copies the result to the CPU, which leaves the GPU idle between steps.",
            Fix("Accumulate on the GPU and copy once after the loop, e.g. `total += loss.detach()` then "
                "`total.item()` per epoch.", ()),
            location=location(h),
        )


@rule(
    "WG717", "multi_gpu_training_without_strategy", "code_forces_cpu",
    "Training code uses one GPU of several",
    detects="On a machine with two or more GPUs, a scanned file trains (fit() or .backward()) without any "
            "distribution strategy or multi-GPU wrapper.",
    why="TensorFlow, PyTorch and JAX all use a single device unless told otherwise, so the other GPUs stay idle.",
    example="train.py calls model.fit(); no MirroredStrategy, DataParallel, DistributedDataParallel or pmap; 4 GPUs",
    fix="Wrap model building in tf.distribute.MirroredStrategy().scope(), or use DistributedDataParallel.",
    references=("https://www.tensorflow.org/guide/distributed_training",
                "https://pytorch.org/tutorials/intermediate/ddp_tutorial.html"),
    modes=("check",),
)
def multi_gpu_training_without_strategy(info, snap):
    facts = snap.get(ScanFacts)
    count = gpu_count(snap)
    if facts is None or count is None or count < 2:
        return
    for path in facts.single_device_training:
        yield info.finding(
            Severity.HINT,
            [Evidence(f"{path} trains without a distribution strategy", path),
             Evidence(f"this machine has {count} GPUs", "GPU probe")],
            f"This training uses one of the {count} GPUs; the others stay idle.",
            Fix("Distribute the training, e.g. build and compile the model inside "
                "`with tf.distribute.MirroredStrategy().scope():`, or wrap a PyTorch model in "
                "DistributedDataParallel.", ()),
            location=Location(path, 1, 1),
        )


@rule(
    "WG798", "source_not_scanned", "unknown",
    "A file could not be scanned",
    detects="A source file or notebook the scan could not parse: a syntax error, another encoding, a file larger "
            "than 2 MiB (generated code) or a notebook whose JSON is broken.",
    why="Nothing in that file was checked, so it may still hide the GPU.",
    example="old/train.py: syntax error at line 3: Missing parentheses in call to 'print'",
    fix="Fix the file, or check it by hand for the statements `whynogpu rules` lists under WG7xx.",
    modes=MODES,
)
def source_not_scanned(info, snap):
    facts = snap.get(ScanFacts)
    for s in facts.skipped if facts else ():
        yield info.finding(
            Severity.INFO, [Evidence(s.reason, s.path)],
            "This file was not checked for code that hides the GPU.",
            location=Location(s.path, 0, 0),
        )
