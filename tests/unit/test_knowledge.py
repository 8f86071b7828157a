"""Every fact in the knowledge base names where it came from, and the tables hold together."""

from __future__ import annotations

import re

import pytest

from whynogpu.knowledge import soname_family, table, tables
from whynogpu.rules.common import version_key

URL = re.compile(r"^https?://\S+$")


@pytest.mark.parametrize("name", tables())
def test_every_row_names_a_source_url(name):
    rows = table(name)
    assert rows, f"{name}.csv has no rows"
    for i, row in enumerate(rows):
        # (a field holding a comma must be quoted: an unquoted one splits into extra fields, read under the key None;
        # trailing optional columns may be left out)
        assert None not in row, f"{name}.csv row {i + 1} has more fields than its header: {row[None]}"
        assert "source" in row, f"{name}.csv has no source column"
        assert URL.match((row["source"] or "").strip()), f"{name}.csv row {i + 1} has no source URL: {row}"


def test_every_tensorflow_release_has_a_soname_family():
    families = {r["cuda"] for r in table("cuda_sonames")}
    for row in table("tensorflow_releases"):
        major, minor = version_key(row["cuda"])[:2]
        key = str(major) if major >= 12 or (major == 11 and minor > 0) else f"{major}.{minor}"
        assert key in families, f"TF {row['tensorflow']} (CUDA {row['cuda']}) has no soname rows"


def test_each_cuda_family_names_the_libraries_tensorflow_dlopens():
    needed = {r["lib"] for r in table("tensorflow_cuda_libs")} - {"cudnn", "cublasLt"}
    # Every family a TensorFlow release from 2.1 on was built for is complete. Older families (CUDA 10.0-era
    # logs name no cuSPARSE; 7.5-10.2 rows give the runtime's name only, for reports that state that CUDA).
    built_for = {soname_family(r["cuda"]) for r in table("tensorflow_releases") if version_key(r["tensorflow"]) >= (2, 1)}
    assert built_for - {None}
    for family in built_for - {None}:
        libs = {r["lib"] for r in table("cuda_sonames") if r["cuda"] == family}
        assert needed <= libs, f"CUDA {family} lacks {needed - libs}"


def test_driver_minimums_are_versions():
    for row in table("cuda_drivers"):
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?", row["linux_min"]), row
    for row in table("cuda_minor_compat"):
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?", row["linux_min"]), row


def test_the_newest_cuda_a_driver_runs():
    from whynogpu.knowledge import cuda_of_driver

    assert cuda_of_driver("470.82.01") == "11.4"  # 11.4 needs 470.42.01, 11.5 needs 495.29.05 (cuda_drivers.csv)
    assert cuda_of_driver("470") == "11.4"  # a bare branch counts as its first release
    assert cuda_of_driver("535.104.05", at_most="12.0") == "12.0"
    assert cuda_of_driver("300.00") is None  # older than every row


def test_tensorflows_cudnn_comes_from_its_build_or_else_its_release_row():
    from whynogpu.knowledge import release_row, tensorflow_cudnn

    row = release_row("tensorflow_releases", "2.5.0")[0]
    assert tensorflow_cudnn(row) == ("8", "8.1")  # the tested build table: cuDNN 8.1 for 2.5
    assert tensorflow_cudnn(row, "8.2.1") == ("8", "8.1")
    assert tensorflow_cudnn(row, "7.6") == ("7", None)  # a build of another major: the row's minimum is not its own
    assert tensorflow_cudnn(None) == (None, None)
