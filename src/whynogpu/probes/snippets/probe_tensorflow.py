# whynogpu's live TensorFlow probe. It runs in the target interpreter, in a child process of
# its own, so a crash or a hang of TensorFlow can never take whynogpu down. Python 3.7+ and the
# standard library besides TensorFlow itself. TensorFlow's own log lines go to stderr, which the
# parent captures whole; the facts go out as one JSON object on the LAST line of stdout.
# Flag --keras: after TensorFlow, also probe keras (when TensorFlow is its backend, this costs
# almost nothing, because TensorFlow has imported keras already). Flags come as arguments, or,
# with --gate, partly on stdin once the import is done (probe_common.await_gate).
# whynogpu: include probe_common


def time_matmul(tf, out):
    def run_on(device, reps):
        with tf.device(device):
            x = tf.random.uniform((TIMED_N, TIMED_N))
            tf.matmul(x, x).numpy()  # warm-up: kernel selection, first-use costs
            return best_of(lambda: tf.reduce_sum(tf.matmul(x, x)).numpy(), reps)

    out["timing"] = {"n": TIMED_N, "dtype": "float32", "gpu_s": run_on("/GPU:0", 5), "cpu_s": run_on("/CPU:0", 1)}


def main():
    out, modules = import_framework("tensorflow", "tensorflow")
    if modules is None:
        return out
    tf = modules[0]
    out["version"] = getattr(tf, "__version__", None)
    try:
        out["cuda_build"] = bool(tf.test.is_built_with_cuda())
        info = dict(tf.sysconfig.get_build_info())
        out["build"] = {k: (v if isinstance(v, (str, bool, int)) else [str(x) for x in v] if isinstance(v, (list, tuple))
                            else str(v)) for k, v in info.items()}
        if not scan_devices():
            out["device_scan_skipped"] = True
            return finish(out)
        gpus = tf.config.list_physical_devices("GPU")
        devices = []
        for i, g in enumerate(gpus):
            try:  # take memory as the matmul needs it, never the whole GPU
                tf.config.experimental.set_memory_growth(g, True)
            except Exception:
                pass
            details = {}
            try:
                details = tf.config.experimental.get_device_details(g)
            except Exception:
                pass
            cc = details.get("compute_capability")
            devices.append({"index": i, "name": details.get("device_name"), "id": g.name,
                            "compute_capability": "{}.{}".format(*cc) if cc else None})
        out["gpus"] = devices
        placed = "/GPU:0" if gpus else "/CPU:0"
        try:
            with tf.device(placed):
                a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
                b = tf.matmul(a, a)
            ok = b.numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]
            out["matmul"] = {"asked": placed, "device": b.device, "correct": ok}
        except BaseException:
            out["matmul"] = {"asked": placed, "device": None, "error": error_text()}
        if gpus and out["matmul"].get("device") and "GPU" in out["matmul"]["device"]:
            try:
                time_matmul(tf, out)
            except BaseException:
                out["timing_error"] = error_text()
    except BaseException:
        out["error"] = error_text()
    return finish(out)


if __name__ == "__main__":
    run_probe(main)
