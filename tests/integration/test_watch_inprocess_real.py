"""`whynogpu.watch()` for real on this machine (a VM without GPU), in child Pythons: a CPU workload in the block
gets check's verdict (no_nvidia_gpu) as `whynogpu watch` gives it; the sampler child ends with the block even
while a forked worker holds its stdin, and never outlives a killed process; a real Keras fit with
whynogpu.watch.keras_callback() and a torch loop in the context manager, in the cached all-cpu venv."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from test_watch_real import alive, wait_for

pytestmark = pytest.mark.integration

CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("CUDA_VISIBLE_DEVICES", "KERAS_BACKEND", "JAX_PLATFORMS")}


def run_py(python: str, code: str, folder, timeout: float = 120) -> subprocess.CompletedProcess:
    """The code as a script file (a spawned worker imports it), run by `python`."""
    script = folder / "train.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run([python, str(script)], capture_output=True, text=True, timeout=timeout, env=CLEAN_ENV)


def codes(report: dict) -> list[str]:
    return [f["code"] for f in report["findings"]]


def children_named(pid: int, word: str) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if int(stat[stat.rfind(b")") + 2:].split()[1]) == pid and word.encode() in cmd:
            out.append(int(name))
    return out


def test_a_cpu_workload_in_the_block_gets_the_clis_verdict_on_this_machine(tmp_path):
    check = subprocess.run([sys.executable, "-m", "whynogpu", "check", "--no-probe", "--json"], capture_output=True,
                           text=True, timeout=120)
    out = tmp_path / "report.json"
    res = run_py(sys.executable, f"""
        import multiprocessing as mp, os, time, whynogpu

        def work():  # a fixed amount of CPU work, however busy the machine is
            t = time.process_time()
            sum(i * i for i in range(6_000_000))
            return time.process_time() - t

        if __name__ == "__main__":
            with whynogpu.watch(interval=0.2) as w:
                with mp.get_context("spawn").Pool(1) as pool:
                    worker_s = pool.apply(work)
                main_s = work()
                time.sleep(0.5)  # the last interval is sampled
            def sampler_child(p):  # a process may end between listing /proc and reading it
                try:
                    return (b"whynogpu.watch.sampler" in open(f"/proc/{{p}}/cmdline", "rb").read()
                            and open(f"/proc/{{p}}/stat").read().split(") ")[1].split()[1] == str(os.getpid()))
                except OSError:
                    return False
            left = [p for p in os.listdir("/proc") if p.isdigit() and sampler_child(p)]
            open({str(out)!r}, "w").write(w.report.json())
            print(repr(w.report), "children left:", left, "cpu:", worker_s + main_s)
            print(w.text())
        """, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "whynogpu" not in res.stderr, res.stderr  # nothing printed by whynogpu (show=False): stderr left alone
    assert "children left: []" in res.stdout  # the sampler ended with the block (multiprocessing's tracker may not)
    report = json.loads(out.read_text())
    assert report["mode"] == "watch"
    assert report["verdict"]["root_cause"] == json.loads(check.stdout)["verdict"]["root_cause"] == "no_nvidia_gpu"
    assert codes(report)[0] == "WG201" and "WG902" in codes(report)
    never = next(f for f in report["findings"] if f["code"] == "WG902")
    assert "was not read" in never["evidence"][-1]["fact"]
    watch = report["facts"]["watch"]
    assert watch["in_process"] is True and watch["nvml"] != "ok" and watch["log"] == []
    assert len(watch["samples"]) >= 5 and max(s["processes"] for s in watch["samples"]) >= 2  # the pool's worker
    seen, t = 0.0, 0.0
    for s in watch["samples"]:
        seen, t = seen + (s["cpu"] or 0) * (s["t"] - t), s["t"]
    spent = float(res.stdout.split("cpu: ")[1].split()[0])
    assert seen > 0.75 * spent, (seen, spent, watch["samples"])  # the CPU of this process and of its worker (half of it) were counted
    assert report["target"]["python"] == sys.executable
    assert "the block watched in this process" in res.stdout and "root cause: no_nvidia_gpu" in res.stdout


def test_the_sampler_ends_with_the_block_while_a_forked_worker_holds_its_stdin(tmp_path):
    res = run_py(sys.executable, """
        import multiprocessing as mp, os, time, whynogpu

        with whynogpu.watch(interval=0.2, check=False) as w:
            worker = mp.get_context("fork").Process(target=time.sleep, args=(30,))
            worker.start()  # a copy of the sampler's stdin pipe lives on in it
            time.sleep(0.6)
            sampler = w._child.proc
            t = time.monotonic()
        took = time.monotonic() - t
        print(took, sampler.returncode, max(s.processes for s in w.facts.samples))
        worker.kill()
        worker.join()
        """, tmp_path)
    assert res.returncode == 0, res.stderr
    took, rc, processes = res.stdout.split()
    assert float(took) < 1.5 and rc == "0"  # ended by "stop", not killed after the 2 s grace
    assert int(processes) == 2  # this process and the worker; the sampler is not counted


def test_the_sampler_never_outlives_a_killed_process(tmp_path):
    pids = tmp_path / "pids"
    code = textwrap.dedent(f"""
        import multiprocessing as mp, os, time, whynogpu

        with whynogpu.watch(interval=0.2) as w:
            worker = mp.get_context("fork").Process(target=time.sleep, args=(30,))
            worker.start()
            open({str(pids)!r}, "w").write(f"{{w._child.proc.pid}} {{worker.pid}}")
            time.sleep(60)
        """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler, worker = map(int, wait_for(pids).split())
    try:
        assert alive(sampler)
        proc.kill()
        proc.wait(timeout=10)
        end = time.monotonic() + 5
        while alive(sampler) and time.monotonic() < end:
            time.sleep(0.05)
        assert not alive(sampler)  # the worker still holds its stdin: it saw its process gone
    finally:
        try:
            os.kill(worker, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture(scope="module")
def all_cpu():
    from test_jupyter_kernel import kernel_python  # the all-cpu venv, this checkout installed editable

    return kernel_python()


def test_a_real_keras_fit_with_the_callback(all_cpu, tmp_path):
    out = tmp_path / "report.json"
    res = run_py(all_cpu, f"""
        import sys, whynogpu
        assert "keras" not in sys.modules
        cb = whynogpu.watch.keras_callback(interval=0.25)
        import keras, numpy as np

        x = np.random.rand(4096, 32).astype("float32")
        y = (x.sum(axis=1) > 16).astype("float32")
        model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(256, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[cb])
        open({str(out)!r}, "w").write(cb.report.json())
        print(type(cb).__mro__[1].__module__, keras.__version__)
        """, tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[0].startswith("keras")  # a real keras.callbacks.Callback subclass
    assert "whynogpu watch: the block watched in this process" in res.stderr  # show=True: printed at on_train_end
    assert "root cause: no_nvidia_gpu" in res.stderr
    report = json.loads(out.read_text())
    assert report["verdict"]["root_cause"] == "no_nvidia_gpu" and "WG902" in codes(report)
    assert "WG408" not in codes(report)  # the venv's own interpreter was inspected: it has the frameworks
    assert report["target"]["python"] == all_cpu
    watch = report["facts"]["watch"]
    assert watch["in_process"] is True and len(watch["samples"]) >= 2
    assert max(s["cpu"] or 0 for s in watch["samples"]) > 0.3  # the fit's CPU, from on_train_begin on


def test_a_torch_loop_in_the_context_manager_as_the_readme_shows(all_cpu, tmp_path):
    res = run_py(all_cpu, """
        import torch, whynogpu

        model = torch.nn.Linear(512, 512)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        device = "cuda" if torch.cuda.is_available() else "cpu"
        model.to(device)
        with whynogpu.watch(interval=0.25) as w:
            for step in range(300):
                x = torch.randn(256, 512, device=device)
                loss = model(x).pow(2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        print(w.report.json())
        """, tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["verdict"]["root_cause"] == "no_nvidia_gpu" and "WG902" in codes(report)
    assert report["facts"]["watch"]["in_process"] is True and report["facts"]["watch"]["raised"] is None


def test_in_a_real_jupyter_kernel_the_report_renders_and_show_displays_it(tmp_path):
    from test_jupyter_kernel import result, run_notebook, shown_text

    out = str(tmp_path / "watch.ipynb")
    cells = run_notebook(
        tmp_path, out, {},
        "import whynogpu",
        "with whynogpu.watch(interval=0.2) as w:\n    sum(i * i for i in range(3_000_000))",
        "w.report",
        "with whynogpu.watch(interval=0.2, show=True):\n    sum(i * i for i in range(1_000_000))",
        "import os, sys\n"
        "print([m for m in ('tensorflow', 'keras', 'torch', 'jax') if m in sys.modules], "
        "[p for p in os.listdir('/proc') if p.isdigit() and b'whynogpu.watch.sampler' in "
        "open(f'/proc/{p}/cmdline', 'rb').read() and open(f'/proc/{p}/stat').read().split(') ')[1].split()[1] "
        "== str(os.getpid())])",
    )
    assert not [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert [o for o in cells[1]["outputs"] if o["output_type"] == "stream"] == []  # show=False: nothing printed
    data = result(cells[2])
    html = shown_text(data["text/html"])
    assert "root cause: no_nvidia_gpu" in data["text/plain"] and "no_nvidia_gpu" in html
    assert "WG902" in html and "was not read" in html
    (shown,) = [o for o in cells[3]["outputs"] if o["output_type"] == "display_data"]
    assert "no_nvidia_gpu" in shown_text("".join(shown["data"]["text/html"]))
    assert "".join(cells[4]["outputs"][0]["text"]).strip() == "[] []"  # no framework imported, no sampler left
