"""Triage reads a report file line by line, as often as it needs, never whole: the same facts as from a
string, and memory that does not grow with the size of the paste."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from whynogpu.serde import to_data
from whynogpu.triage.engine import snapshot
from whynogpu.triage.source import CHUNK, ReportText

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = ("TensorFlow 2.15 on Ubuntu 22.04, RTX 3060.\n"
          "```\n>>> import tensorflow as tf\n>>> tf.config.list_physical_devices('GPU')\n[]\n```\n"
          "2024-01-01 10:00:00.000000: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] "
          "Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: "
          "No such file or directory\n"
          "user@box:~$ export CUDA_VISIBLE_DEVICES=0\n")


def facts(report) -> dict:
    return to_data(snapshot(report))


@pytest.mark.parametrize("encode", [
    lambda t: t.encode(),
    lambda t: b"\xef\xbb\xbf" + t.encode(),  # UTF-8 with a BOM
    lambda t: t.encode("utf-16"),  # Windows' "Unicode" text
    lambda t: t.replace("\n", "\r\n").encode(),  # CRLF line ends
    lambda t: t.replace("Could not", "\x1b[33mCould not").replace("directory", "directory\x1b[0m").encode(),
])
def test_a_file_gives_the_same_facts_as_the_string(encode):
    stream = io.BytesIO(encode(REPORT))
    assert facts(ReportText(stream=stream, limit=1 << 20)) == facts(REPORT)
    # and again: every pass reads the stream from its start
    assert facts(ReportText(stream=stream, limit=1 << 20)) == facts(REPORT)


def test_lines_longer_than_a_chunk_keep_their_number():
    text = "a" * (CHUNK + 10) + "\nsecond\n"
    got = list(ReportText(stream=io.BytesIO(text.encode()), limit=10 << 20).numbered())
    assert [n for n, _ in got] == [1, 1, 2, 3]  # the empty line after the last line end, as for a string
    assert got == list(ReportText(text).numbered())


def test_reading_stops_at_the_limit():
    text = "x\n" * 1000
    got = list(ReportText(stream=io.BytesIO(text.encode()), limit=10).lines())
    assert got == ["x"] * 5 + [""]


def _peak_kb(path: str) -> int:
    code = ("import resource, sys\nfrom whynogpu.cli import main\n"
            "try:\n    main(['triage', sys.argv[1]], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    res = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    return int(res.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_the_paste(tmp_path):
    # A paste 8 times larger costs far less than 8 times the memory: the growth is below the growth in size.
    lines = [f"2024-01-01 10:00:{i % 60:02d}.{i:06d}: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1886] "
             f"step {i} noise line with distinct text {i * 7919}" for i in range(60_000)]
    body = "TensorFlow 2.15 on Ubuntu 22.04 does not use my GPU.\n" + "\n".join(lines) + "\n"
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(body[: len(body) // 8])
    big.write_text(body)
    grew_kb = _peak_kb(str(big)) - _peak_kb(str(small))
    assert grew_kb * 1024 < (len(body) - len(body) // 8) / 2, grew_kb
