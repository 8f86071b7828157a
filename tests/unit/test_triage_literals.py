"""The plain-string prefilter of triage (triage/literals.py) must never hide a match from its regex."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whynogpu.parsers.logs import rows
from whynogpu.triage import cues
from whynogpu.triage import extract as ex
from whynogpu.triage.literals import LineIndex, for_lowered, guarded, lowered, passes, required

PATTERNS = [f.rx for f in (*ex._FILTERS, *ex._WORDS)] + [r.pattern for r in rows()]


@pytest.mark.parametrize("rx", PATTERNS, ids=[p.pattern[:40] for p in PATTERNS])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_match_holds_the_required_strings(rx, data):
    text = data.draw(st.from_regex(rx))
    m = rx.search(text)
    if m is None:
        return  # hypothesis may produce text only fullmatch-able; search is what the reader runs
    assert passes(required(rx), lowered(text)), (rx.pattern, text)


@pytest.mark.parametrize("cid, rx", cues.CUES, ids=[c for c, _ in cues.CUES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cue_on_lowered_text_answers_the_same(cid, rx, data):
    text = data.draw(st.one_of(st.from_regex(rx), st.text(max_size=80)))
    if cid in cues.CASED:  # a case-sensitive part: the lowered search may only find more, and find() checks it
        assert not rx.search(text) or for_lowered(rx).search(lowered(text))
        assert (cid in cues.find(text)) == bool(rx.search(text[:cues.MAX_LINE]))
        return
    assert bool(rx.search(text)) == bool(for_lowered(rx).search(lowered(text)))


def test_required_strings_of_known_shapes():
    assert required(re.compile(r"\bsuspend(ed)?\b", re.I)) == (frozenset({"suspend"}),)
    assert frozenset({"m1 pro", "m2 pro"}) in required(re.compile(r"M[12] Pro"))
    assert required(re.compile(r"a.b")) == ()  # nothing of two letters or more is certain
    # a branch with one unreadable alternative requires nothing
    assert required(re.compile(r"docker|\w+")) == ()


def test_index_lines_and_token_shortcut():
    index = LineIndex(["no gpu here", "Docker run --gpus all", "power supply of 850 W", ""])
    assert index.lines_with("docker") == frozenset({1})
    assert index.lines_with("power supply") == frozenset({2})
    assert index.lines_with("absent words") == frozenset()


def test_cues_found_the_same_with_and_without_the_index():
    import glob
    import os

    here = os.path.dirname(__file__)
    lines = []
    for path in sorted(glob.glob(os.path.join(here, "..", "triage", "corpus", "*.txt"))):
        with open(path, encoding="utf-8") as fh:
            lines.extend(fh.read().splitlines())
    naive = [cues.without_cancelled([cid for cid, rx in cues.CUES if rx.search(line)]) for line in lines]
    assert [cues.find(line) for line in lines] == naive
    assert sum(map(len, naive)) > 50  # the corpus does hold cues
    got = ex.extract("\n".join(lines))
    expect_lines = {i + 1 for i, c in enumerate(naive) if c}
    assert {c.line for c in got.cues if not c.id.startswith("phrase:")} <= expect_lines


def test_phrases_found_by_the_combined_pattern_are_each_rows_own():
    import re

    from whynogpu.knowledge import table

    rows = table("report_phrases")
    samples = ["We use ROCm on a Radeon card", "after unattended-upgrades ran", "my MacBook Pro", "inside WSL 2",
               "nothing about GPUs here", "module load cuda/11.8 then it breaks", "Task Manager shows 0 %"]
    for line in samples:
        naive = []
        for r in rows:
            cid = cues.phrase_id(r)
            if re.search(r["pattern"], line, re.I) and cid not in naive:
                naive.append(cid)
        assert sorted(cues.phrases(line)) == sorted(naive), line


def test_every_cue_id_is_defined_once():
    # a second definition of an id is silently shadowed wherever the cues are read as a dict
    from collections import Counter

    from whynogpu.triage.cues import CUES

    twice = [cid for cid, n in Counter(cid for cid, _ in CUES).items() if n > 1]
    assert not twice


def test_non_ascii_letters_and_lookaheads_are_requirements_too():
    # letters without case and those IGNORECASE folds like lower() are plain strings: "任务管理器" or "диспетчер"
    # alternatives no longer leave a cue without a prefilter
    need = required(re.compile(r"\btask ?manager\b|任务管理器|Диспетчер задач", re.I))
    assert need and all(passes(need, lowered(t)) for t in ("Task Manager", "打开任务管理器", "ДИСПЕТЧЕР ЗАДАЧ"))
    assert not passes(need, lowered("nvidia-smi shows 0 %"))
    # letters re folds specially (σ/ς/Σ) stay unknown rather than risk hiding a match
    rx = re.compile(r"λόγος|ΛΟΓΟΣ", re.I)
    assert passes(required(rx), lowered("ΛΌΓΟΣ")) and rx.search("ΛΌΓΟΣ")
    # what a positive lookahead needs is in the line, wherever it sits
    need = required(re.compile(r"^(?=.*\bboth\b)(?=.*\btensorflow-gpu\b)", re.I))
    assert frozenset({"tensorflow-gpu"}) in need and frozenset({"both"}) in need
    # a negative one requires nothing
    assert required(re.compile(r"^(?!.*uninstall).*cuda", re.I)) == (frozenset({"cuda"}),)


def test_a_macos_home_folder_is_capital_u_users():
    # Linux clusters put homes under /users/ (lower case); macOS under /Users/
    assert "macos" in cues.find('  File "/Users/ana/miniconda3/lib/python3.10/site-packages/torch/cuda/__init__.py"')
    assert "macos" not in cues.find('  File "/users/ana/miniconda3/lib/python3.10/site-packages/torch/cuda/__init__.py"')


def test_a_sentence_that_it_runs_fine_in_colab_names_colab_as_elsewhere():
    for said in ("The same example runs fine in Colab.", "It works fine on Colab."):
        assert "colab_elsewhere" in cues.find(said) and "colab" not in cues.find(said)
    # a Colab notebook that worked until yesterday is about Colab itself
    assert "colab" in cues.find("It ran fine on Colab until yesterday, now no GPU.")


def test_retold_forms_of_common_statements_are_read():
    # paraphrase3/README.md: forms a second rewrite of the same reports used
    assert "input_bound" in cues.find("rhythm: 4 batches fast -> long pause -> 4 more -> pause")
    assert "gpu_not_found_said" in cues.find("But when I launch vLLM, it is behaving like there is no GPU.")
    assert "works_elsewhere" in cues.find("From my shell torch is seeing the cards, but when I launch the engine it fails")
    assert "phrase:cudnn_version_mismatch" in cues.phrases("The API needs cuDNN 8.1, while the runtime loads cuDNN 8.0.5")


def _unguarded(rx: re.Pattern) -> re.Pattern:
    return re.compile(rx.pattern[rx.pattern.index(")(?:") + 4:-1], rx.flags) if rx.pattern.startswith("(?=") else rx


GUARDED = [(cid, for_lowered(f.rx)) for cid, f in cues.FILTERED] + [("phrases", _unguarded(cues.PHRASES))] + \
    [(n, _unguarded(getattr(ex, n))) for n in ("_GPU_REQUEST", "_DRIVER_PACKAGE", "_INTRODUCED", "_PIN", "_CUDNN_PACKAGE",
                                               "_SMI_MEMORY")]


@pytest.mark.parametrize("name, rx", GUARDED, ids=[n for n, _ in GUARDED])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_guarded_pattern_finds_the_same_matches(name, rx, data):
    text = data.draw(st.one_of(st.from_regex(rx), st.text(max_size=80), st.from_regex(rx).map(lambda t: "x" + t.upper())))
    g = guarded(rx)
    assert [(m.span(), m.groups()) for m in rx.finditer(text)] == [(m.span(), m.groups()) for m in g.finditer(text)]
    assert bool(rx.match(text)) == bool(g.match(text))


def test_guards_of_known_shapes():
    assert guarded(re.compile(r"\b(py)?torch\b|\bcomfy ?ui\b")).pattern.startswith(r"(?=\b[cpt])")
    assert guarded(re.compile(r"(?<!faster-)\bwhisper\b")).pattern.startswith(r"(?=\b[w])")
    # case as written: "I get" starts with a capital I unless the pattern ignores case (then the lookahead does too)
    assert guarded(re.compile(r"\b(?:says|I get):")).search("What I get: True")
    assert guarded(re.compile(r"\b(?:says|i get):", re.I)).search("What I GET: True")
    # no guard where a match may start anywhere, be empty, or follow a lookahead
    for p in (r"\w+ gpu", r"(?:gpu)?", r"(?=cuda)\w+", r"^torch"):
        assert not guarded(re.compile(p)).pattern.startswith("(?=") or p.startswith("(?=")
