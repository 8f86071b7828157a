"""`whynogpu.watch()` in the process itself: the context manager, the decorator and the Keras callback, with a
fake sampler child — the real sampler loop (sampler.run) over the fake pynvml, fed from tests/fixtures/watch/ —
that watches this test process; and the sampler's own ways to end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import types

import pytest

import whynogpu
from whynogpu.watch import proctree, report, sampler
from whynogpu.watch.inprocess import Watch

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_SAMPLER = f"""
import sys
sys.path[:0] = [{TESTS!r}]
from fake_pynvml import FakeNvml, load
from whynogpu.watch import sampler
name, pid, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
nv = FakeNvml(error=int(name[6:])) if name.startswith("error:") else FakeNvml(load(name), cmd_pid=pid)
sampler.run(interval, nv=nv)
"""
INTERVAL = 0.05


def fake_sampler(name: str) -> list[str]:
    """A sampler child whose NVML is the fake one: the fixture's GPUs, with this process as the command."""
    return [sys.executable, "-c", FAKE_SAMPLER, name, str(os.getpid()), str(INTERVAL)]


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def samplers() -> list[int]:
    """Live sampler children of this process (fake or real)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        rest = stat[stat.rfind(b")") + 2:].split()
        if int(rest[1]) == os.getpid() and rest[0] != b"Z" and b"sampler" in cmd:
            out.append(int(name))
    return out


def test_a_block_that_computed_on_the_gpu_gets_the_clis_report_with_this_process_as_the_command():
    with whynogpu.watch(interval=INTERVAL, sampler=fake_sampler("t4-training-used")) as w:
        assert w.running and "running" in repr(w)
        spin(0.6)
    rep = w.report
    assert rep.mode == "watch" and rep.verdict.root_cause == "no_problem" and rep.verdict.gpu_usable is True
    assert [f.code for f in rep.findings] == ["WG901"]
    ev = [e.fact for e in rep.findings[0].evidence]
    assert f"PID {os.getpid()}" in ev[0] and "Tesla T4" in rep.verdict.summary
    assert ev[-1] == report.NOT_READ.fact  # the messages on stderr were not read, and the report says so
    watch = rep.facts["watch"]
    assert watch["in_process"] is True and watch["exit_code"] is None and watch["raised"] is None
    assert watch["log"] == [] and len(watch["samples"]) >= 5 and 0.5 < watch["duration_s"] < 5
    assert max(s["cpu"] or 0 for s in watch["samples"]) > 0.5  # this process spun; the sampler is not counted
    assert all(s["processes"] == 1 for s in watch["samples"])  # the sampler child is left out of the tree
    assert "stderr were not read" in w.text() and "CPU (this process)" in w.text()
    assert "Tesla T4" in w._repr_html_() and w._repr_html_() == rep._repr_html_()
    assert samplers() == []


def test_a_gpu_never_touched_without_checks_rules_says_what_would_settle_it():
    with whynogpu.watch(interval=INTERVAL, check=False, sampler=fake_sampler("h100-never-touched-cudnn-missing")) as w:
        spin(0.2)
    rep = w.report
    assert rep.verdict.root_cause == "unknown" and rep.verdict.gpu_usable is False
    never = next(f for f in rep.findings if f.code == "WG902")
    assert never.evidence[-1] == report.NOT_READ
    assert rep.missing == (report.NOT_READ_MISSING,) and "whynogpu watch -- python" in rep.missing[0]
    assert "What would settle it" in rep.text()


def test_no_nvml_is_said_at_once_when_shown_and_the_report_is_printed_at_the_end():
    import pynvml

    out = io.StringIO()
    with whynogpu.watch(interval=INTERVAL, show=True, file=out, check=False,
                        sampler=fake_sampler(f"error:{pynvml.NVML_ERROR_DRIVER_NOT_LOADED}")) as w:
        end = time.monotonic() + 5
        while "no GPU can be watched" not in out.getvalue() and time.monotonic() < end:
            time.sleep(0.01)
        assert out.getvalue() == ("whynogpu: no GPU can be watched here (NVML: Driver Not Loaded); the code runs on, "
                                  "the diagnosis follows when it ends\n")
    printed = out.getvalue()
    assert "whynogpu watch: the block watched in this process" in printed and "root cause: unknown" in printed
    assert w.report.facts["watch"]["nvml"] == "Driver Not Loaded"


@pytest.mark.parametrize("command, says", [
    (["/no/such/python"], "the sampler child could not be started: FileNotFoundError"),
    ([sys.executable, "-c", "import sys; sys.exit('no module named pynvml, say')"],
     "the sampler child ended before it read NVML (no module named pynvml, say)"),
])
def test_a_sampler_that_cannot_start_is_in_the_report_not_an_exception(command, says):
    with whynogpu.watch(interval=INTERVAL, check=False, sampler=command) as w:
        pass
    assert w.error is None and w.report.facts["watch"]["nvml"].startswith(says)
    never = next(f for f in w.report.findings if f.code == "WG902")
    assert says in never.evidence[0].fact


def test_the_users_exception_goes_on_unchanged_after_the_report_is_made():
    w = whynogpu.watch(interval=INTERVAL, check=False, sampler=fake_sampler("t4-training-used"))
    with pytest.raises(ZeroDivisionError, match="in the training loop"):
        with w:
            spin(0.1)
            raise ZeroDivisionError("in the training loop")
    assert w.report.facts["watch"]["raised"] == "ZeroDivisionError"
    assert "ended by ZeroDivisionError" in w.text()
    assert samplers() == []


def test_a_report_that_cannot_be_made_is_an_error_text_not_an_exception(monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("rules exploded")

    monkeypatch.setattr(report, "build", broken)
    with whynogpu.watch(interval=INTERVAL, check=False, sampler=fake_sampler("t4-training-used")) as w:
        pass
    assert w.report is None and w.error == "whynogpu could not make the report: RuntimeError: rules exploded"
    assert "rules exploded" in w.text() and "rules exploded" in repr(w)


def test_as_a_decorator_each_call_is_watched():
    @whynogpu.watch(interval=INTERVAL, check=False, sampler=fake_sampler("t4-training-used"))
    def train(n):
        spin(0.1)
        return n * 2

    assert train(21) == 42 and train.watch.report.verdict.root_cause == "no_problem"

    @whynogpu.watch
    def bare():
        return 1

    assert isinstance(bare.watch, Watch) and bare.watch.show is True  # no `as w`: the report is printed


def test_bad_interval_is_the_callers_value_error():
    for bad in (0, -1, float("nan"), "soon", 1e9):
        with pytest.raises(ValueError, match="interval must be"):
            whynogpu.watch(interval=bad)


def test_the_jupyter_display_is_the_report_itself(monkeypatch):
    shown = []
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    display = types.ModuleType("IPython.display")
    display.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    with whynogpu.watch(interval=INTERVAL, show=True, sampler=fake_sampler("t4-training-used")) as w:
        pass
    assert shown == [w.report]


def test_the_keras_callback_watches_fit_from_begin_to_end(monkeypatch):
    keras = types.ModuleType("keras")

    class Callback:  # keras.callbacks.Callback's shape: a model is set, then the hooks are called
        def __init__(self):
            self.model = None

    keras.callbacks = types.SimpleNamespace(Callback=Callback)
    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    out = io.StringIO()
    cb = whynogpu.watch.keras_callback(interval=INTERVAL, file=out)
    assert isinstance(cb, Callback) and cb.report is None
    cb.watch._sampler = fake_sampler("t4-training-used")
    cb.on_train_begin()
    spin(0.2)
    cb.on_train_end()
    assert cb.report.verdict.root_cause == "no_problem" and "The command computed on GPU 0" in out.getvalue()
    cb.on_train_begin()  # a second fit that raises never reaches on_train_end...
    first = cb.watch._child.proc
    assert first.poll() is None
    cb.on_train_begin()  # ...and the next fit ends that watch first, without a report
    assert first.poll() is not None and cb.watch._child.proc.poll() is None and cb.report is None
    cb.on_train_end()
    assert samplers() == [] and type(whynogpu.watch.keras_callback(file=out)) is type(cb)  # one class per Keras


def test_whynogpu_imports_no_framework_and_stays_callable_after_its_modules_load():
    code = ("import sys, whynogpu; before = 'whynogpu.watch' in sys.modules; "
            "import whynogpu.watch.runner, whynogpu.watch.report, whynogpu.watch.inprocess; "
            "w = whynogpu.watch(interval=0.5); "
            "print(before, callable(whynogpu.watch), type(w).__name__, "
            "sorted(m for m in ('keras', 'tensorflow', 'torch', 'jax', 'IPython') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "False True Watch []", res.stderr


def test_the_sampler_leaves_out_what_it_is_told_to_and_ends_when_the_watched_process_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.4)"])
    pids, _ = proctree.tree(os.getpid(), exclude={child.pid})
    assert os.getpid() in pids and child.pid not in pids
    r_fd, w_fd = os.pipe()
    out = io.StringIO()
    from fake_pynvml import FakeNvml, load

    t = threading.Thread(target=sampler.run, args=(INTERVAL,), kwargs={"stdin": os.fdopen(r_fd, "rb"), "stdout": out,
                                                                         "nv": FakeNvml(load("t4-training-used"))})
    t.start()
    os.write(w_fd, f"{child.pid} {time.monotonic()}\n".encode())
    child.wait()
    t.join(timeout=5)  # stdin is still open: the sampler ended because its process was gone
    try:
        assert not t.is_alive() and out.getvalue().count('"kind":"sample"') >= 3
    finally:
        os.close(w_fd)


def test_the_sampler_ends_on_stop_while_its_stdin_is_held_open():
    r_fd, w_fd = os.pipe()
    out = io.StringIO()
    t = threading.Thread(target=sampler.run, args=(INTERVAL,), kwargs={"stdin": os.fdopen(r_fd, "rb"), "stdout": out,
                                                                         "nv": None})
    t.start()
    os.write(w_fd, f"{os.getpid()} {time.monotonic()}\nstop\n".encode())  # both at once: no read swallows the stop
    t.join(timeout=5)
    try:
        assert not t.is_alive() and out.getvalue().count('"kind":"sample"') == 1
    finally:
        os.close(w_fd)
