"""Files pasted into a report are read by the readers `whynogpu scan` uses, and judged by the same rules:
the same finding code on both paths (issue 13: one engine)."""

from __future__ import annotations

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.commands.scan import scan_report
from whynogpu.host.real import RealHost
from whynogpu.triage.files import pasted_files

# BLAST-AI-ML/synapse#199: torch.cuda.is_available() was False until `#SBATCH --gpus-per-node=1` was added
JOB = ("#!/bin/bash -l\n\n#SBATCH -t 00:15:00\n#SBATCH -N 1\n#SBATCH -q realtime\n#SBATCH --constraint=gpu\n\n"
       "module load python\nsrun python train.py --experiment a\n")


def _codes(report, prefix="WG7"):
    return [(f.code, f.location.line if f.location else None) for f in report.findings if f.code.startswith(prefix)]


def test_a_pasted_slurm_script_gives_the_finding_scan_gives_for_the_file(tmp_path):
    job = tmp_path / "training.sbatch"
    job.write_text(JOB)
    scanned, _, _ = scan_report(RealHost(), (str(job),))
    assert _codes(scanned) == [("WG731", 6)]
    intro = "torch.cuda.is_available() is False in my batch job, True when I ssh to the node. The script:\n\n```\n"
    r = triage(intro + JOB + "```\n")
    assert r.verdict.root_cause == "gpu_access_restricted"
    assert _codes(r) == [("WG731", 4 + 5)]  # the report's own line: the fence opens on line 4
    # with the GPUs asked for, the file is fine in both places
    fixed = JOB.replace("#SBATCH -N 1\n", "#SBATCH -N 1\n#SBATCH --gpus-per-node=1\n")
    assert _codes(triage(intro + fixed + "```\n")) == []


def test_a_pasted_file_needs_no_fence_and_ends_at_the_prose_after_it():
    text = ("Job script below, the GPU is never used.\n" + JOB + "After it starts, nvidia-smi on the node shows no "
            "process of mine.\n")
    (df,) = pasted_files(text)
    assert df.path == "<report>" and [w.kind for w in df.workloads] == ["slurm"]
    assert [c.text for c in df.commands] == ["module load python", "srun python train.py --experiment a"]


def test_directives_retold_in_a_sentence_are_read_as_the_lines_they_name():
    text = ("Inside the job torch.cuda.is_available() is False, but on the node interactively it is True.\n"
            "My script has #SBATCH --partition=gpu and #SBATCH --time=24:00:00 and then runs python train.py.\n")
    r = triage(text)
    assert _codes(r) == [("WG731", 2)]
    assert r.verdict.root_cause == "gpu_access_restricted"
    assert _codes(triage(text.replace("#SBATCH --time", "#SBATCH --gres=gpu:1 and #SBATCH --time"))) == []


def test_a_pasted_compose_service_without_a_gpu_reservation_is_wg728(tmp_path):
    # Docker's compose GPU support: a service gets a GPU only through deploy.resources.reservations.devices
    compose = ("services:\n  trainer:\n    image: tensorflow/tensorflow:2.15.0-gpu\n    command: python train.py\n"
               "    volumes:\n      - .:/work\n")
    (tmp_path / "compose.yaml").write_text(compose)
    scanned, _, _ = scan_report(RealHost(), (str(tmp_path / "compose.yaml"),))
    assert _codes(scanned) == [("WG728", 3)]  # the service's image line
    text = "With docker compose up the trainer runs on the CPU:\n\n```yaml\n" + compose + "```\n"
    assert _codes(triage(text)) == [("WG728", 3 + 3)]
    reserved = compose + ("    deploy:\n      resources:\n        reservations:\n          devices:\n"
                          "            - driver: nvidia\n              count: all\n              capabilities: [gpu]\n")
    assert _codes(triage("With docker compose up:\n\n```yaml\n" + reserved + "```\n")) == []


def test_prose_and_code_are_no_file():
    assert pasted_files("From what I read, services: are where compose keeps them.\nimport torch\n") == ()
    assert pasted_files("```python\nimport torch\nprint(torch.cuda.is_available())\n```\n") == ()


def test_code_past_a_long_log_is_read_in_fences_only():
    # past the reporter's part (the first 3000 lines) lines that look like Python are a log's (tracebacks, printed
    # code), as they are for statements written inline; a fenced block there is still code the reporter pasted
    from whynogpu.triage.code import scan_report as scan_pasted

    log = "".join(f"  step {i}: loss=0.1\n" for i in range(3200))
    stmt = 'os.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n'
    fenced = scan_pasted(log + "```python\nimport os\n" + stmt + "```\n")
    assert fenced is not None and [h.pattern for h in fenced.hits] == ["cuda_visible_devices"]
    assert scan_pasted(log + "import os\n" + stmt) is None
    assert scan_pasted("import os\n" + stmt + log) is not None  # the same lines in the reporter's part
