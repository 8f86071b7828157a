# whynogpu's live JAX probe: same contract as probe_tensorflow.py (a child process in the
# target interpreter, Python 3.7+, stdlib besides jax, facts as JSON on the LAST stdout line).
# The parent sets XLA_PYTHON_CLIENT_PREALLOCATE=false so JAX does not reserve most of the GPU's
# memory, which would disturb other users of that GPU.
# whynogpu: include probe_common


def time_matmul(jax, gpu, cpu, out):
    import jax.numpy as jnp

    def run_on(device, reps):
        x = jax.device_put(jnp.ones((TIMED_N, TIMED_N), dtype=jnp.float32), device)
        f = jax.jit(lambda a: (a @ a).sum())
        f(x).block_until_ready()  # warm-up: compiles
        return best_of(lambda: f(x).block_until_ready(), reps)

    out["timing"] = {"n": TIMED_N, "dtype": "float32", "gpu_s": run_on(gpu, 5), "cpu_s": run_on(cpu, 1)}


def main():
    out, modules = import_framework("jax", "jax", "jaxlib")
    if modules is None:
        return out
    # JAX sets its backends up at the first device call, not at import: that time counts as import
    start = time.time() - out["import_s"]
    jax, jaxlib = modules
    out["version"] = getattr(jax, "__version__", None)
    out["build"] = {"jaxlib": getattr(jaxlib, "__version__", None)}
    if not scan_devices() and has_cuda_plugin():
        out["device_scan_skipped"] = True
        out["import_s"] = round(time.time() - start, 3)
        return finish(out)
    try:
        devices = jax.devices()
        out["import_s"] = round(time.time() - start, 3)
        out["default_backend"] = jax.default_backend()
        gpus = [d for d in devices if d.platform in ("gpu", "cuda")]
        try:
            jax.devices("gpu")
        except BaseException as exc:
            out["gpu_backend_error"] = str(exc).strip()[:2000] or type(exc).__name__
        out["cuda_build"] = bool(gpus) or "gpu_backend_error" not in out
        listed = []
        for d in gpus:
            mem = None
            try:
                mem = int((d.memory_stats() or {}).get("bytes_limit", 0) // (1 << 20)) or None
            except Exception:
                pass
            listed.append({"index": d.id, "name": getattr(d, "device_kind", None),
                           "compute_capability": getattr(d, "compute_capability", None), "memory_mb": mem})
        out["gpus"] = listed
        target = gpus[0] if gpus else devices[0]
        try:
            a = jax.device_put(jax.numpy.array([[1.0, 2.0], [3.0, 4.0]]), target)
            b = (a @ a).block_until_ready()
            out["matmul"] = {"asked": str(target), "device": device_of(b),
                             "correct": b.tolist() == [[7.0, 10.0], [15.0, 22.0]]}
        except BaseException:
            out["matmul"] = {"asked": str(target), "device": None, "error": error_text()}
        if gpus and out["matmul"].get("device"):
            try:
                time_matmul(jax, gpus[0], jax.devices("cpu")[0], out)
            except BaseException:
                out["timing_error"] = error_text()
    except BaseException:
        out["error"] = error_text()
        out.setdefault("import_s", round(time.time() - start, 3))
    return finish(out)


def has_cuda_plugin():
    """Without a CUDA plugin JAX never loads libcuda, so its device list is safe to take."""
    import importlib.util

    for name in ("jax_cuda12_plugin", "jax_cuda13_plugin", "jax_plugins.xla_cuda12", "jax_plugins.xla_cuda13"):
        try:
            if importlib.util.find_spec(name) is not None:
                return True
        except (ImportError, ValueError):
            pass
    return False


if __name__ == "__main__":
    run_probe(main)
