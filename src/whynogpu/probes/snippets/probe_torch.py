# whynogpu's live PyTorch probe: same contract as probe_tensorflow.py (a child process in the
# target interpreter, Python 3.7+, stdlib besides torch, facts as JSON on the LAST stdout line).
# torch.cuda.is_available() never raises: the reason it says False comes as a "CUDA initialization"
# warning, so warnings are recorded and also left on stderr for the log interpreter.
# whynogpu: include probe_common


def time_matmul(torch, out):
    def run_on(device, reps):
        x = torch.rand((TIMED_N, TIMED_N), device=device)
        sync = torch.cuda.synchronize if device != "cpu" else (lambda: None)
        (x @ x).sum().item()  # warm-up
        sync()
        return best_of(lambda: (x @ x).sum().item(), reps)

    out["timing"] = {"n": TIMED_N, "dtype": "float32", "gpu_s": run_on("cuda:0", 5), "cpu_s": run_on("cpu", 1)}


def main():
    import warnings

    out, modules = import_framework("torch", "torch")
    if modules is None:
        return out
    torch = modules[0]
    out["version"] = getattr(torch, "__version__", None)
    try:
        cuda = getattr(torch.version, "cuda", None)
        out["cuda_build"] = cuda is not None
        out["build"] = {"cuda_version": cuda, "hip_version": getattr(torch.version, "hip", None)}
        try:
            out["build"]["cudnn_version"] = torch.backends.cudnn.version()
        except Exception:
            pass
        if not scan_devices():
            out["device_scan_skipped"] = True
            return finish(out)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            available = torch.cuda.is_available()
        out["warnings"] = [str(w.message) for w in caught]
        for w in caught:
            sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
        out["available"] = bool(available)
        try:
            out["arch_list"] = list(torch.cuda.get_arch_list())
        except Exception:
            out["arch_list"] = []
        devices = []
        for i in range(torch.cuda.device_count() if available else 0):
            p = torch.cuda.get_device_properties(i)
            devices.append({"index": i, "name": p.name, "compute_capability": f"{p.major}.{p.minor}",
                            "memory_mb": int(p.total_memory // (1 << 20))})
        out["gpus"] = devices
        placed = "cuda:0" if devices else "cpu"
        try:
            a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=placed)
            b = a @ a
            out["matmul"] = {"asked": placed, "device": str(b.device),
                             "correct": b.cpu().tolist() == [[7.0, 10.0], [15.0, 22.0]]}
        except BaseException:
            out["matmul"] = {"asked": placed, "device": None, "error": error_text()}
        if devices and str(out["matmul"].get("device", "")).startswith("cuda"):
            try:
                time_matmul(torch, out)
            except BaseException:
                out["timing_error"] = error_text()
    except BaseException:
        out["error"] = error_text()
    return finish(out)


if __name__ == "__main__":
    run_probe(main)
