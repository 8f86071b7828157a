"""WG718 on the files beside the code: the command a Dockerfile, compose service, Kubernetes container, launcher
script or service unit starts a program with (whynogpu/lint/scripts.py, lint/compose.py, lint/kubernetes.py,
lint/dockerfile.py). Whole-file fixtures are in tests/fixtures/scan/files/{scripts,compose,docker,k8s}."""

from __future__ import annotations

from whynogpu.commands.scan import scan_report
from whynogpu.facts import files as K
from whynogpu.host.real import RealHost
from whynogpu.lint import kind_of, read
from whynogpu.lint.scripts import read as read_script
from whynogpu.model import Severity
from whynogpu.parsers.cpu_options import find, without


def _scan(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    report, _, _ = scan_report(RealHost(), (str(p),))
    return [f for f in report.findings if f.code == "WG718"]


def test_script_kinds_are_read_and_other_files_are_not():
    for name in ("run.sh", "train.bash", "webui-user.bat", "start.CMD", "comfyui.service"):
        assert kind_of(name) == K.SCRIPT, name
    for name in ("run.py", "notes.txt", "service.yaml", "Makefile"):
        assert kind_of(name) != K.SCRIPT, name


def test_a_launch_line_with_the_option_is_an_error_and_its_fix_drops_only_the_option(tmp_path):
    found = _scan(tmp_path, "run.sh", "#!/bin/sh\ncd /opt/app\nexec python main.py --cpu --listen 0.0.0.0\n")
    assert [(f.location.line, f.severity) for f in found] == [(3, Severity.ERROR)]
    assert found[0].fix.commands == ("exec python main.py --listen 0.0.0.0",)


def test_lines_that_print_or_hold_text_are_no_launch(tmp_path):
    text = ("#!/bin/bash\n"
            "echo 'Pass --cpu to run without a GPU'\n"
            "# python main.py --cpu   (the old way)\n"
            "cat <<EOF\n"
            "usage: run.sh [--cpu]\n"
            "  python main.py --cpu\n"
            "EOF\n"
            "python main.py --listen   # add --cpu when there is no GPU\n")
    assert _scan(tmp_path, "run.sh", text) == []


def test_a_line_under_a_condition_or_in_a_function_is_only_a_warning(tmp_path):
    text = ("#!/bin/bash\n"
            "if [ \"$1\" = slow ]; then\n"
            "    python main.py --cpu\n"
            "fi\n"
            "start() {\n"
            "    python main.py --device cpu\n"
            "}\n"
            "python other.py --cpu\n")
    found = _scan(tmp_path, "launch.sh", text)
    assert sorted((f.location.line, f.severity) for f in found) == [
        (3, Severity.WARNING), (6, Severity.WARNING), (8, Severity.ERROR)]


def test_a_continued_command_is_one_command_and_its_fix_shows_it_whole(tmp_path):
    found = _scan(tmp_path, "run.sh", "python launch.py --listen \\\n    --device cpu\n")
    assert found[0].location.line == 1
    assert found[0].fix.commands == ("python launch.py --listen --device cuda",)


def test_assignments_are_environment_and_a_variable_before_a_command_is_still_a_command():
    df = read_script("run.sh", "export A=1\nB='x y'\nCUDA_VISIBLE_DEVICES=0 python main.py --cpu\n"
                               "if true; then export C=2; fi\n")
    assert [(e.name, e.value) for e in df.env] == [("A", "1"), ("B", "x y")]
    assert [c.text for c in df.commands] == ["CUDA_VISIBLE_DEVICES=0 python main.py --cpu"]
    bat = read_script("webui-user.bat", 'set "COMMANDLINE_ARGS=--use-cpu all"\r\nif exist venv (\r\n'
                                        'set PYTHON=venv\\python.exe\r\n)\r\ncall webui.bat\r\n')
    assert [(e.name, e.value) for e in bat.env] == [("COMMANDLINE_ARGS", "--use-cpu all")]
    assert [c.text for c in bat.commands] == ["call webui.bat"]


def test_files_and_services_named_for_the_cpu_are_left_alone(tmp_path):
    assert _scan(tmp_path, "run_cpu.sh", "python main.py --cpu\n") == []
    compose = ("services:\n"
               "  comfy-cpu:\n    image: ghcr.io/ai-dock/comfyui:latest-cpu\n    command: python main.py --cpu\n"
               "  comfy:\n    image: ghcr.io/ai-dock/comfyui:latest-cuda\n    command: [python, main.py, --cpu]\n")
    found = _scan(tmp_path, "compose.yaml", compose)
    assert [f.location.line for f in found] == [7]
    assert found[0].fix.commands == ("command: [python, main.py]",)


def test_a_launcher_variable_counts_and_other_variables_do_not(tmp_path):
    df = read("dockerfile", "Dockerfile", 'FROM python:3.10-slim\nENV GREETING="--cpu"\n'
                                          'ENV COMMANDLINE_ARGS="--use-cpu all --listen"\nCMD ["python", "launch.py"]\n')
    assert df is not None
    found = _scan(tmp_path, "Dockerfile", 'FROM python:3.10-slim\nENV GREETING="--cpu"\n'
                                          'ENV COMMANDLINE_ARGS="--use-cpu all --listen"\nCMD ["python", "launch.py"]\n')
    assert [f.location.line for f in found] == [3]
    assert found[0].fix.commands == ('ENV COMMANDLINE_ARGS="--listen"',)


def test_the_option_table_is_read_in_one_place():
    assert find("python main.py --cpus 4") is None  # Docker's CPU quota, not a device
    option, meaning = find("python webui.py --use-cpu all")
    assert option == "--use-cpu all" and "web UI" in meaning
    assert without('CMD ["python", "main.py", "--cpu"]', "--cpu") == 'CMD ["python", "main.py"]'
    assert without('args: ["a.wav", "--device", "cpu"]', "--device cpu") == 'args: ["a.wav", "--device", "cuda"]'
    assert without("python main.py --cpu", "--always-cpu") == "python main.py --cpu"


def test_a_notebook_shell_line_that_starts_a_program_on_the_cpu(tmp_path):
    import json

    cells = ["!pip install -q ultralytics\n", "!yolo train data=coco8.yaml model=yolov8n.pt epochs=3 --device cpu\n",
             "!echo 'pass --device cpu to train without a GPU'\n"]
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                    for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    found = _scan(tmp_path, "train.ipynb", json.dumps(nb))
    assert [(f.location.path.endswith(":cell 2"), f.location.line) for f in found] == [(True, 1)]
    assert found[0].fix.commands == ("!yolo train data=coco8.yaml model=yolov8n.pt epochs=3 --device cuda",)


def test_python_that_starts_a_program_with_its_cpu_option(tmp_path):
    text = ('import subprocess\nimport os\n\n\ndef start():\n'
            '    return subprocess.Popen(["python", "main.py", "--listen", "0.0.0.0", "--cpu"], cwd="/opt/ComfyUI")\n\n\n'
            'os.system("whisper talk.mp3 --model medium --device cpu")\n'
            'subprocess.run(["echo", "use --cpu to run without a GPU"])\n')
    found = _scan(tmp_path, "launch.py", text)
    assert sorted((f.location.line, f.severity) for f in found) == [(6, Severity.WARNING), (9, Severity.ERROR)]
    by_line = {f.location.line: f.fix.commands[0] for f in found}
    assert by_line[6] == 'return subprocess.Popen(["python", "main.py", "--listen", "0.0.0.0"], cwd="/opt/ComfyUI")'
    assert by_line[9] == 'os.system("whisper talk.mp3 --model medium --device cuda")'
