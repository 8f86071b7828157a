"""From a check's report and snapshot to numbered steps.

Nothing is probed or concluded again here: the findings say what is wrong (their category, their
fix), the snapshot's facts say what is installed and which driver there is, the knowledge tables
(choose.py) say what to install. A step is automatic only when it changes the target environment
itself (its packages, or a variable in its kernel.json or conda activation scripts); everything else
(drivers, reboots, containers, hardware, code) is printed for the user and never run.
"""

from __future__ import annotations

import posixpath
import re

from whynogpu.facts.cuda import CudaLibFacts
from whynogpu.facts.driver import DriverFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.fix import choose
from whynogpu.fix.installer import Installer, detect, shown
from whynogpu.fix.model import Action, Plan, Step
from whynogpu.host.base import Host
from whynogpu.model import Finding, Report, Severity, Snapshot

# Categories a different build of the framework in the environment cures; the CUDA-library ones only
# where the build brings its libraries as pip wheels (TensorFlow's and-cuda, torch's CUDA wheels, JAX's plugin).
REBUILD = ("cpu_only_package", "package_conflict")
LIBS_BY_PIP = ("cuda_libs_missing", "cuda_version_mismatch", "cudnn_missing", "cudnn_version_mismatch",
               "pip_cuda_libs_not_found")
# Categories a variable where the target's processes start can cure (the rule's own fix names it).
BY_VARIABLE = ("keras_backend_other", "cuda_visible_devices_hidden")
LABELS = (("TensorFlow", "tensorflow"), ("PyTorch", "torch"), ("JAX", "jax"))
VARIANTS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-cpu-aws", "tensorflow-intel", "intel-tensorflow",
                   "tensorflow-gpu", "tf-nightly", "tf-nightly-cpu"),
    "torch": ("torch",),
    "jax": (),  # JAX's GPU support is a plugin beside jaxlib: nothing to remove
}
COMPANIONS = {"torch": ("torchvision", "torchaudio")}  # built against one torch: they come from the same index
EXPORT = re.compile(r"^export ([A-Z_][A-Z0-9_]*)=([^\s$`\"';|&]+)$")
UNSET = re.compile(r"^unset ((?:[A-Z_][A-Z0-9_]* ?)+)$")


def framework_of(f: Finding) -> str | None:
    """The framework a finding is about, as its own words name it (title first, then its fix)."""
    for text in (f.title, f.fix.text if f.fix else "", " ".join(f.fix.commands) if f.fix else "", f.explanation):
        for label, name in LABELS:
            if label in text:
                return name
    return None


def _driver(snap: Snapshot) -> str | None:
    d = snap.get(DriverFacts)
    return d.driver_version if d else None


class _Builder:
    def __init__(self, report: Report, snap: Snapshot, host: Host, cwd: str | None) -> None:
        self.report, self.snap, self.host = report, snap, host
        self.t: TargetFacts | None = snap.get(TargetFacts)
        self.installer: Installer | None = detect(host, self.t, cwd) if self.t else None
        self.gpu = not any(f.category == "no_nvidia_gpu" for f in report.findings)
        self.steps: list[Step] = []
        self.rebuilt: dict[str, int] = {}  # framework -> index of its step

    # -- steps ------------------------------------------------------------------------------

    def add(self, automatic: bool, title: str, f: Finding, why: str, argvs: list[list[str]] = (),
            commands: tuple[str, ...] = (), actions: tuple[Action, ...] = ()) -> None:
        acts = actions or tuple(Action(argv=tuple(a), cwd=self.installer.project if self.installer else None)
                                for a in argvs)
        shown_cmds = commands or tuple(shown(list(a)) for a in argvs)
        self.steps.append(Step(0, automatic, title, (f.code,), f.category, why, shown_cmds, acts))

    def cite(self, index: int, f: Finding) -> None:
        s = self.steps[index]
        if f.code not in s.codes:
            self.steps[index] = Step(s.number, s.automatic, s.title, (*s.codes, f.code), s.category, s.why,
                                     s.commands, s.actions)

    def manual(self, f: Finding) -> None:
        fix = f.fix
        self.add(False, f.title, f, fix.text if fix else f.explanation, commands=tuple(fix.commands) if fix else ())

    def rebuild(self, framework: str, f: Finding) -> bool:
        if framework in self.rebuilt:
            self.cite(self.rebuilt[framework], f)
            return True
        t, inst = self.t, self.installer
        if t is None or inst is None:
            return False
        installed = [t.dist(n) for n in VARIANTS[framework] if t.dist(n)]
        owner = t.owners.get(framework)
        for name in owner.claimed_by if owner else ():
            if t.dist(name) and t.dist(name) not in installed:
                installed.append(t.dist(name))
        main = installed[0] if installed else t.dist(framework)
        version = main.version if main else None
        tool = inst.for_package(main.installer if main else None)
        companions = tuple(n for n in COMPANIONS.get(framework, ()) if t.dist(n))
        if framework == "tensorflow":
            choice = choose.tensorflow(version, t.version, _driver(self.snap), self.gpu, tool.kind)
        elif framework == "torch":
            choice = choose.torch(version, _driver(self.snap), tool.kind, companions)
        else:
            choice = choose.jax(t.dist("jax").version if t.dist("jax") else None, _driver(self.snap), tool.kind)
        if isinstance(choice, str):
            self.add(False, f.title, f, choice + (f"; {f.fix.text}" if f.fix else ""),
                     commands=tuple(f.fix.commands) if f.fix else ())
            return True
        # The plain package stays when it is the only variant (a CUDA build missing its libraries gets them
        # added); beside another variant it goes too, as both own the same files.
        variants = [d.name for d in installed if d.name.lower() != framework or len(installed) > 1 or framework == "torch"]
        remove = variants + list(companions) if VARIANTS[framework] and variants else []
        argvs = tool.remove(remove) + tool.install(list(choice.specs), index=choice.index if tool.kind != "conda" else None,
                                                   channel=choice.index if tool.kind == "conda" else None,
                                                   source_name=choice.source_name)
        now = ", ".join(f"{d.name} {d.version}" for d in installed) or framework
        label = dict((n, lbl) for lbl, n in LABELS)[framework]
        title = (f"Replace {now} with {label}'s GPU build: " if remove else f"Complete {label}'s GPU build ({now}): ") \
            + " ".join(choice.specs)
        if choice.index:
            title += f" from {choice.index}"
        self.add(True, title, f, choice.note, argvs)
        self.rebuilt[framework] = len(self.steps) - 1
        return True

    def variable(self, f: Finding) -> bool:
        """A variable the finding's fix sets or unsets, changed where the target's processes start."""
        cmds = [c for c in (f.fix.commands if f.fix else ()) if not c.startswith("#")]
        if not cmds or self.t is None or self.installer is None:
            return False
        first = cmds[0].strip()
        m, u = EXPORT.match(first), UNSET.match(first)
        if not (m or u):
            return False
        changes = [(m.group(1), m.group(2))] if m else [(n, None) for n in u.group(1).split()]
        places = self._places(unset=u is not None)
        if not places:
            return False
        actions = tuple(Action(where=where, path=path, name=n, value=v) for where, path in places for n, v in changes)
        said = ", ".join(f"{n}={v}" if v is not None else f"unset {n}" for n, v in changes)
        where = " and ".join(p for _, p in places)
        commands = tuple(f"# in {a.path}: " + (f"{a.name}={a.value}" if a.value is not None else f"unset {a.name}")
                         for a in actions)
        self.add(True, f"{said} where this environment starts ({where})", f,
                 (f.fix.text if f.fix else "") + " A variable of your shell itself whynogpu cannot change: "
                 + "; ".join(cmds), commands=commands, actions=actions)
        return True

    def _places(self, unset: bool) -> list[tuple[str, str]]:
        t, inst = self.t, self.installer
        places = []
        libs = self.snap.get(CudaLibFacts)
        # a kernel inherits the Jupyter server's variables and kernel.json cannot unset one: set values only
        for k in libs.kernels if libs and not unset else ():
            if posixpath.normpath(k.python) == posixpath.normpath(t.python):
                places.append(("kernel", k.spec))
        if inst.kind == "conda" and not inst.refused:
            places.append(("conda", inst.prefix))
        return places

    # -- the whole plan ---------------------------------------------------------------------

    def build(self) -> Plan:
        findings = [f for f in self.report.findings if f.severity in (Severity.ERROR, Severity.WARNING)
                    and f.category != "no_problem"]
        later_unknown = []
        for f in findings:
            fw = framework_of(f)
            if f.category == "package_conflict" and f.code != "WG404" and self.t:
                fw = fw or next((p for p in self._conflicted()), None)
            if f.category in REBUILD or (f.category in LIBS_BY_PIP and self.gpu):
                if f.category == "package_conflict" and f.code == "WG404":
                    done = [self.rebuild(p, f) for p in self._conflicted()]
                    if any(done):
                        continue
                elif fw in VARIANTS and self.rebuild(fw, f):
                    continue
            if f.category in BY_VARIABLE and self.variable(f):
                continue
            if f.category == "unknown" and fw in self.rebuilt:
                later_unknown.append(f)  # a framework that failed to start: its rebuild step answers it
                continue
            self.manual(f)
        for f in later_unknown:
            self.cite(self.rebuilt[framework_of(f)], f)
        return self._finish()

    def _conflicted(self) -> list[str]:
        return [p for p, o in sorted(self.t.owners.items()) if len(o.claimed_by) > 1 and p in VARIANTS]

    def _finish(self) -> Plan:
        inst = self.installer
        notes = []
        steps = []
        for i, s in enumerate(self.steps, 1):
            auto = s.automatic and not (inst and inst.refused)
            steps.append(Step(i, auto, s.title, s.codes, s.category, s.why, s.commands, s.actions if auto else ()))
        if inst and inst.refused and any(s.automatic for s in self.steps):
            notes.append(f"Nothing here is changed automatically: {inst.refused}.")
        manual_first = next((s for s in steps if not s.automatic), None)
        if manual_first and steps and steps[0] is manual_first and any(s.automatic for s in steps):
            notes.append(f"The GPU stays unusable until step {manual_first.number} is done by hand; the automatic "
                         "steps prepare this environment for it.")
        if not steps:
            notes.append("Nothing to fix: " + (self.report.verdict.summary if self.report.verdict.root_cause
                                                 == "no_problem" else "no error or warning was found."))
        v = self.report.verdict
        return Plan(self.t.python if self.t else None, inst, v.root_cause, v.summary, tuple(steps), tuple(notes))


def build(report: Report, snap: Snapshot, host: Host, cwd: str | None = None) -> Plan:
    return _Builder(report, snap, host, cwd).build()

