"""The HTML report and the notebook's rich forms: verdict first and the same words as the text report,
hostile report text escaped, the same redaction as Markdown, nothing that loads from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from click.testing import CliRunner

from whynogpu.cli import main
from whynogpu.model import Evidence, Finding, Fix, Report, Severity, Target
from whynogpu.redact import Redactor
from whynogpu.render import html, markdown, text
from whynogpu.verdict import decide

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def report(findings=None, target=None) -> Report:
    findings = findings or [
        Finding("WG401", "tensorflow_cpu_build", Severity.ERROR, "cpu_only_package", "CPU build",
                (Evidence("tensorflow-cpu 2.21.0 in /home/alice/venv", "metadata"),), "why",
                Fix("replace it", ("/home/alice/venv/bin/python -m pip install 'tensorflow[and-cuda]'",))),
        Finding("WG604", "tf_log_level_hides_diagnosis", Severity.HINT, "unknown", "log level",
                (Evidence("TF_CPP_MIN_LOG_LEVEL=3", "env"),), "why"),
    ]
    ordered, verdict = decide(findings)
    return Report(schema_version=1, tool={"name": "whynogpu", "version": "0.1.0"}, mode="check",
                  target=target or Target("/home/alice/venv/bin/python", "3.11.7", "venv", "the active venv"),
                  verdict=verdict, findings=tuple(ordered), probes=())


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(page: str) -> Elements:
    p = Elements()
    p.feed(page)
    return p


def words(s: str) -> str:
    return " ".join(s.split())


def test_verdict_comes_first_with_the_text_reports_words():
    r = report()
    page = html.render(r)
    line = next(ln for ln in text.render(r, color=False).splitlines() if ln.startswith("GPU usable"))
    assert words(line) == "GPU usable: no root cause: cpu_only_package" == words(html.verdict_line(r))
    body = words("".join(parsed(page).text).split("</style>")[-1])
    assert words(line) in body
    assert page.index('id="verdict"') < page.index("Root cause:") < page.index("Evidence")
    plain_md = re.sub(r"[*`#]", "", markdown.render(r))
    assert words(line) in words(plain_md)


def test_fix_commands_are_code_blocks_and_evidence_folds():
    page = html.render(report())
    assert "<pre class=\"cmd\"><code>/home/alice/venv/bin/python -m pip install &#x27;tensorflow[and-cuda]&#x27;" in page
    tags = [t for t, _ in parsed(page).tags]
    assert tags.count("details") >= 2 and "summary" in tags
    assert "<details open><summary>Evidence (1)" in page  # the root cause's evidence is shown


def test_hostile_report_text_is_escaped_everywhere():
    f = Finding("WG401", "tensorflow_cpu_build", Severity.ERROR, "cpu_only_package", HOSTILE,
                (Evidence(HOSTILE, HOSTILE),), HOSTILE, Fix(HOSTILE, (HOSTILE,)))
    r = report([f], Target(HOSTILE, "3.11", "venv", HOSTILE))
    for page in (html.render(r), html.fragment(r), r._repr_html_()):
        tags = {t for t, _ in parsed(page).tags}
        assert not tags & {"script", "img", "iframe", "link", "object"}
        assert "<script" not in page and "&lt;script&gt;" in page
        assert not any(k.startswith("on") for _, attrs in parsed(page).tags for k in attrs)


def test_nothing_loads_from_elsewhere():
    page = html.render(report())
    assert not re.search(r"(src|href)\s*=|@import|url\(|https?://", page)
    assert "default-src 'none'" in page  # the browser refuses loads even if some markup got through
    assert "@media print" in page


def test_shared_html_is_redacted_like_markdown():
    secret = "hf_" + "a" * 30
    f = Finding("WG401", "tensorflow_cpu_build", Severity.ERROR, "cpu_only_package", "CPU build",
                (Evidence(f"HF_TOKEN={secret} on alice@gpubox-7 in /home/alice/venv", "env"),
                 Evidence("proxy https://bob:hunter22@proxy.example:3128 and /home/carol/x", "pip.conf")),
                "why", Fix("f", ("cd /home/alice/venv",)))
    r = report([f])
    red = Redactor("/home/alice", "alice", "gpubox-7")
    page, md = html.render(r, red), markdown.render(r, red)
    for leak in (secret, "alice", "gpubox-7", "hunter22", "carol"):
        assert leak not in page and leak not in md, leak
    assert "&lt;redacted&gt;" in page and "~/venv" in page


def test_rich_reprs_show_the_verdict_and_plain_repr_stays_short():
    r = report()
    line = words(html.verdict_line(r))
    assert line in words(re.sub(r"<[^>]+>", " ", r._repr_html_()))
    assert line in words(re.sub(r"[*`#]", "", r._repr_markdown_()))

    class Printer:
        out = ""

        def text(self, s):
            self.out += s

    p = Printer()
    r._repr_pretty_(p, False)
    assert line in words(p.out) and "[WG401 cpu_only_package]" in p.out
    assert len(repr(r)) < 200 and "cpu_only_package" in repr(r)
    assert r.html().startswith("<!DOCTYPE html>")


def test_cli_writes_a_self_contained_html_file(tmp_path):
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["triage", "-", "--format", "html", "-o", str(out)],
                             input="tensorflow-cpu 2.21.0\nnvidia-smi: command not found\n")
    assert res.exit_code in (0, 1), res.output
    assert res.output == ""
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and 'id="verdict"' in page and "GPU usable:" in page
    res = CliRunner().invoke(main, ["triage", "-", "--format", "html"], input="tensorflow-cpu 2.21.0\n")
    assert res.output.startswith("<!DOCTYPE html>")
    res = CliRunner().invoke(main, ["triage", "-", "--html-nope"], input="x\n")
    assert res.exit_code == 2
