"""Benchmark `whynogpu scan` on a large real codebase: the installed keras and tensorflow packages.

    python benchmarks/bench_scan.py [--site-packages DIR] [--show N]

Without --site-packages a venv is created once in ~/.cache/whynogpu-bench-scan with
`pip install tensorflow-cpu` (which pulls keras) and reused afterwards. Prints files,
seconds, files/s and every error/warning finding, for a false-positive review: library code
is not a training script, so nearly everything reported there is a false alarm or a
deliberate CPU placement.

Then a torch-sized tree, for speed only: the `torch` package of a cached venv (the first of
~/.cache/whynogpu-bench, ~/.cache/whynogpu-it, ~/.cache/whynogpu-scenarios that holds one; or
--torch-dir DIR), else (or with --synthetic) a temporary tree of ~5000 real Python files copied from
the running interpreter's standard library. Prints files, MB, wall time and files/s.
--torch-only skips the keras/tensorflow part; --no-torch skips the torch part.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

CACHE = os.path.expanduser("~/.cache/whynogpu-bench-scan")
TORCH_CACHES = ("~/.cache/whynogpu-bench", "~/.cache/whynogpu-it", "~/.cache/whynogpu-scenarios")
SYNTHETIC_FILES = 5000


def site_packages() -> str:
    found = glob.glob(os.path.join(CACHE, "lib", "python3*", "site-packages"))
    if not found or not os.path.isdir(os.path.join(found[0], "tensorflow")):
        subprocess.run([sys.executable, "-m", "venv", CACHE], check=True)
        subprocess.run([os.path.join(CACHE, "bin", "python"), "-m", "pip", "install", "-q", "tensorflow-cpu"],
                       check=True)
        found = glob.glob(os.path.join(CACHE, "lib", "python3*", "site-packages"))
    return found[0]


def cached_torch() -> str | None:
    """The torch package folder of the first cached venv that has one."""
    for cache in TORCH_CACHES:
        found = sorted(glob.glob(os.path.join(os.path.expanduser(cache), "*", "lib", "python3*", "site-packages", "torch")))
        if found:
            return found[0]
    return None


def synthetic_tree(root: str, count: int = SYNTHETIC_FILES) -> None:
    """~`count` real Python files under `root`: the stdlib's .py files (site-packages left out), copied
    again into copy1/, copy2/ … until there are enough."""
    stdlib = os.path.dirname(os.__file__)
    sources = []
    for folder, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        sources.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    made, k = 0, 0
    while made < count:
        for src in sources:
            dst = os.path.join(root, f"copy{k}", os.path.relpath(src, stdlib))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            made += 1
            if made >= count:
                break
        k += 1


def tree_size(root: str) -> tuple[int, float]:
    """(.py files, MB of them) under root."""
    n, size = 0, 0
    for folder, _dirs, files in os.walk(root):
        for f in files:
            if f.endswith(".py"):
                n += 1
                size += os.path.getsize(os.path.join(folder, f))
    return n, size / (1 << 20)


def torch_sized(torch_dir: str | None, synthetic: bool) -> None:
    from whynogpu.commands.scan import scan_report
    from whynogpu.host.real import RealHost

    root = None if synthetic else (torch_dir or cached_torch())
    tmp = None
    if root is None:
        tmp = tempfile.mkdtemp(prefix="whynogpu-bench-scan-")
        start = time.monotonic()
        synthetic_tree(tmp)
        root, what = tmp, f"synthetic: stdlib files from {os.path.dirname(os.__file__)} ({time.monotonic() - start:.1f} s to copy)"
    else:
        what = "torch package of a cached venv" if not torch_dir else "--torch-dir"
    try:
        py, mb = tree_size(root)
        start = time.monotonic()
        report, facts, _ = scan_report(RealHost(), (root,))
        seconds = time.monotonic() - start
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    files = facts.files_scanned + len(facts.skipped)
    loud = sum(f.severity.value in ("error", "warning") for f in report.findings)
    print(f"\n== torch-sized tree: {root} ({what}) ==")
    print(f"files: {files} ({facts.files_scanned} scanned, {len(facts.skipped)} skipped; {py} .py files, {mb:.1f} MB)")
    print(f"wall: {seconds:.2f} s, {files / seconds:.0f} files/s, {mb / seconds:.1f} MB/s; "
          f"findings {len(report.findings)} ({loud} error/warning)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site-packages", help="a site-packages directory holding keras and tensorflow")
    ap.add_argument("--show", type=int, default=40, help="how many error/warning findings to print")
    ap.add_argument("--torch-dir", help="a torch package folder to scan for the torch-sized case")
    ap.add_argument("--synthetic", action="store_true", help="scan the synthetic ~5000-file tree, not torch")
    ap.add_argument("--torch-only", action="store_true", help="skip the keras/tensorflow scan")
    ap.add_argument("--no-torch", action="store_true", help="skip the torch-sized scan")
    args = ap.parse_args()
    if not args.torch_only:
        keras_tensorflow(args)
    if not args.no_torch:
        torch_sized(args.torch_dir, args.synthetic)


def keras_tensorflow(args: argparse.Namespace) -> None:
    sp = args.site_packages or site_packages()
    roots = tuple(os.path.join(sp, p) for p in ("keras", "tensorflow") if os.path.isdir(os.path.join(sp, p)))

    from whynogpu.commands.scan import scan_report
    from whynogpu.host.real import RealHost

    start = time.monotonic()
    report, facts, _ = scan_report(RealHost(), roots)
    seconds = time.monotonic() - start
    files = facts.files_scanned + len(facts.skipped)
    print(f"roots: {', '.join(roots)}")
    print(f"files: {files} ({facts.files_scanned} scanned, {len(facts.skipped)} skipped)")
    print(f"total: {seconds:.2f} s, {files / seconds:.0f} files/s")
    by = Counter((f.code, f.severity.value) for f in report.findings)
    print("findings:", ", ".join(f"{c} {s}: {n}" for (c, s), n in sorted(by.items())) or "none")
    loud = [f for f in report.findings if f.severity.value in ("error", "warning")]
    print(f"error/warning findings: {len(loud)} in {files} files ({100 * len(loud) / max(files, 1):.2f} per 100 files)")
    for f in loud[: args.show]:
        print(f"  {f.location.path.replace(sp + '/', '')}:{f.location.line}: {f.code} {f.severity.value}: "
              f"{f.evidence[0].fact[:120]}")
    for s in facts.skipped[:10]:
        print(f"  skipped {s.path.replace(sp + '/', '')}: {s.reason}")


if __name__ == "__main__":
    main()
