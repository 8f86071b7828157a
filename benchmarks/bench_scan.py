"""Benchmark `whynogpu scan` on a large real codebase: the installed keras and tensorflow packages.

    python benchmarks/bench_scan.py [--site-packages DIR] [--show N]

Without --site-packages a venv is created once in ~/.cache/whynogpu-bench-scan with
`pip install tensorflow-cpu` (which pulls keras) and reused afterwards. Prints files,
seconds, files/s and every error/warning finding, for a false-positive review: library code
is not a training script, so nearly everything reported there is a false alarm or a
deliberate CPU placement.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time
from collections import Counter

CACHE = os.path.expanduser("~/.cache/whynogpu-bench-scan")


def site_packages() -> str:
    found = glob.glob(os.path.join(CACHE, "lib", "python3*", "site-packages"))
    if not found or not os.path.isdir(os.path.join(found[0], "tensorflow")):
        subprocess.run([sys.executable, "-m", "venv", CACHE], check=True)
        subprocess.run([os.path.join(CACHE, "bin", "python"), "-m", "pip", "install", "-q", "tensorflow-cpu"],
                       check=True)
        found = glob.glob(os.path.join(CACHE, "lib", "python3*", "site-packages"))
    return found[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site-packages", help="a site-packages directory holding keras and tensorflow")
    ap.add_argument("--show", type=int, default=40, help="how many error/warning findings to print")
    args = ap.parse_args()
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
