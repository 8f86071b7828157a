"""The HTML report opened in a real browser: Debian's headless Chromium loads the file offline, shows the verdict,
screenshots and prints it, logs no console error and asks the network for nothing (every request would go to a
proxy this test listens on). Skipped, with the reason, when no Chromium is installed
(`apt-get install chromium`). The screenshot, PDF and page are kept as artifacts ($WHYNOGPU_ARTIFACTS, else
pytest's tmp_path)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading

import pytest

HOSTILE_LOG = """\
2025-01-01 12:00:00.000000: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2256] Cannot dlopen some GPU libraries.
Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file
<script>document.title='pwned'</script><img src="http://198.51.100.7/beacon.png">
"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Proxy:
    """Counts every connection the browser makes through its proxy; any is a request the page must not make."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.requests: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b"?")

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


# The browser's own services (clock, component updates, sign-in) call home whatever the page is; the flags
# below silence most, not all. Anything else through the proxy would be the page's.
BROWSER_OWN = re.compile(r"^(?:[\w-]+\.)*(?:google\.com|googleapis\.com|gvt1\.com)$")


def page_requests(requests: list[bytes]) -> list[str]:
    hosts = []
    for r in requests:
        m = re.match(rb"(?:CONNECT ([^\s:]+)|[A-Z]+ https?://([^/\s:]+))", r)
        host = (m.group(1) or m.group(2)).decode() if m else r[:80].decode(errors="replace")
        if not BROWSER_OWN.match(host):
            hosts.append(host)
    return hosts


@pytest.fixture
def artifacts(tmp_path):
    path = os.environ.get("WHYNOGPU_ARTIFACTS") or str(tmp_path)
    os.makedirs(path, exist_ok=True)
    return path


def browse(exe: str, proxy: Proxy, profile: str, *args: str) -> subprocess.CompletedProcess:
    argv = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter",
            f"--user-data-dir={profile}", f"--proxy-server={proxy.url}", "--proxy-bypass-list=<-loopback>",
            "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


@pytest.mark.integration
def test_html_report_in_headless_chromium(tmp_path, artifacts):
    exe = chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium): the HTML report is not checked in a browser")
    log = tmp_path / "pasted.txt"
    log.write_text(HOSTILE_LOG)
    page = os.path.join(artifacts, "report.html")
    res = subprocess.run([sys.executable, "-m", "whynogpu", "triage", str(log), "--format", "html", "-o", page],
                         capture_output=True, text=True)
    assert res.returncode in (0, 1), res.stderr
    html = open(page, encoding="utf-8").read()
    assert not re.search(r"(?:src|href)\s*=|url\(|@import", html)  # nothing the page could load
    url = "file://" + page
    proxy = Proxy()
    try:
        dom = browse(exe, proxy, str(tmp_path / "p1"), "--dump-dom", url)
        shot = os.path.join(artifacts, "report.png")
        png = browse(exe, proxy, str(tmp_path / "p2"), f"--screenshot={shot}", "--window-size=1100,1500",
                     "--hide-scrollbars", url)
        pdf = os.path.join(artifacts, "report.pdf")
        printed = browse(exe, proxy, str(tmp_path / "p3"), f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    finally:
        proxy.close()
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom.stdout.split("</style>")[-1]))
    assert "GPU usable: no root cause: cuda_libs_missing" in text
    assert "[WG301 cuda_libs_missing]" in text
    assert "<script" not in dom.stdout.lower() and "<img" not in dom.stdout.lower()  # the pasted markup stayed text
    assert "<title>whynogpu: GPU usable: no" in dom.stdout and "pwned" not in dom.stdout.split("</title>")[0]
    assert page_requests(proxy.requests) == []
    for run in (dom, png, printed):
        console = [ln for ln in run.stderr.splitlines() if re.search(r"CONSOLE|Uncaught|Refused to", ln)]
        assert console == [], console
    assert png.returncode == 0 and os.path.getsize(shot) > 20000
    with open(shot, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert printed.returncode == 0 and open(pdf, "rb").read(5) == b"%PDF-"
