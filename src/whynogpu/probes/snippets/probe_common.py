# Helpers shared by whynogpu's live framework probes (probe_tensorflow.py, probe_torch.py,
# probe_jax.py, probe_keras.py). Those snippets run with `python -c`, so they cannot import
# this file: whynogpu splices it in where a snippet says `# whynogpu: include probe_common`.
# Python 3.7+, standard library only.
import json
import os
import sys
import time
import traceback

LIB_PREFIXES = ("libcuda", "libcublas", "libcudnn", "libcufft", "libcurand", "libcusolver", "libcusparse",
                "libnccl", "libnvrtc", "libnvjitlink", "libnvidia-ml", "libcupti", "libnvinfer", "libtorch_cuda",
                "libc10_cuda", "xla_cuda")
FLAGS = set(sys.argv[1:])  # --keras, --no-device-scan, --gate; with --gate, more come on stdin
TIMED_N = 2048  # 17 GFLOP per matmul: milliseconds on a GPU, well under a second on a CPU


def loaded_libs():
    """CUDA libraries this process really mapped: the loaded-vs-installed fact (Linux only)."""
    seen = []
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) == 6 else ""
                base = os.path.basename(path).lower()
                if path.startswith("/") and base.startswith(LIB_PREFIXES) and path not in seen:
                    seen.append(path)
    except OSError:
        return None
    return seen


def error_text(limit=15):
    return "".join(traceback.format_exc().splitlines(True)[-limit:]).strip()


def device_of(x):
    for attr in ("device", "devices"):
        value = getattr(x, attr, None)
        if callable(value):
            try:
                value = sorted(str(d) for d in value())[0]
            except Exception:
                value = None
        if value is not None:
            return str(value)
    return None


def probe_keras(out):
    k = {}
    start = time.time()
    try:
        import keras

        k["version"] = getattr(keras, "__version__", None)
        backend = getattr(getattr(keras, "backend", None), "backend", None)
        k["backend"] = backend() if callable(backend) else None
        if scan_devices():  # a Keras op initialises the backend's devices (cuInit for TF/torch/JAX on CUDA)
            ops = keras.ops
            k["matmul_device"] = device_of(ops.matmul(ops.ones((2, 2)), ops.ones((2, 2))))
    except BaseException:
        k["error"] = error_text()
    k["seconds"] = round(time.time() - start, 3)
    out["keras"] = k


def best_of(fn, reps):
    best = None
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        d = time.perf_counter() - t
        best = d if best is None or d < best else best
    return best


def finish(out):
    """The common end of a probe: Keras on top when asked (--keras), then the libraries really loaded."""
    if "--keras" in FLAGS:
        probe_keras(out)
    out["loaded_libs"] = loaded_libs()
    return out


def import_framework(framework, *names):
    """Import the framework's modules, timed. Returns (out, modules); modules is None when the import
    failed, and out then already says why (traceback tail, libraries loaded so far)."""
    import importlib

    out = {"framework": framework, "python": sys.executable}
    start = time.time()
    try:
        modules = [importlib.import_module(n) for n in names]
    except BaseException:
        out["error"] = error_text()
        out["loaded_libs"] = loaded_libs()
        modules = None
    out["import_s"] = round(time.time() - start, 3)
    await_gate()
    out["argv"] = sorted(FLAGS)
    return out, modules


def await_gate():
    """With --gate, whynogpu started this import before it had finished looking at the machine.
    Importing a framework lists no device, so that part is safe to begin early; what may follow is
    decided by the one line whynogpu sends on stdin: more flags (--keras, --no-device-scan), or
    --skip when this framework is not to be probed after all."""
    if "--gate" not in FLAGS:
        return
    line = sys.stdin.readline()
    FLAGS.update(line.split())
    if not line or "--skip" in FLAGS:  # no line: whynogpu has gone away
        leave()


def scan_devices():
    """False when whynogpu says --no-device-scan: the machine has no NVIDIA kernel driver and this
    runs as root, so enumerating devices would call cuInit, which would create /dev/nvidiactl.
    The import and build facts still come back; the device list is reported as not scanned."""
    return "--no-device-scan" not in FLAGS


def run_probe(main):
    """Run a probe's main() and print its facts as the last line of stdout."""
    result = main()
    sys.stderr.flush()
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
    leave()


def leave():
    """Exit without tearing the interpreter down. With TensorFlow loaded, the teardown alone took
    1.5 s of a 6.5 s probe on whynogpu's test machine, and a framework's exit handlers can hang on
    a broken driver; the facts are written by now, so nothing is lost by skipping it."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)  # C-level stdio buffers of the framework's own libraries
    except Exception:
        pass
    os._exit(0)
