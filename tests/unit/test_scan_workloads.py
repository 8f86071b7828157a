"""Which containers and jobs of a scanned file are meant for a GPU (rules WG718, WG728, WG729): an image whose tag names
a CUDA build, and the CPU parts a file gives no GPU on purpose."""

from __future__ import annotations

from whynogpu.commands.scan import scan_report
from whynogpu.host.real import RealHost
from whynogpu.model import Severity


def _said(path) -> list[tuple[str, int]]:
    report, _, _ = scan_report(RealHost(), (str(path),))
    return sorted((f.code, f.location.line) for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING))


def test_a_service_on_an_image_whose_tag_names_a_cuda_build_needs_a_reservation(tmp_path):
    # a project's own image, tagged the way PyTorch names its CUDA wheels (cu118), with no reservation
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  dev:\n    image: someone/buildings:torch2.3.0-cu11.8\n"
                       "  train:\n    image: someone/trainer:latest-gpu\n"
                       "  web:\n    image: someone/frontend:1.4\n")
    assert _said(compose) == [("WG728", 3), ("WG728", 5)]  # the front end's image names no GPU build


def test_a_tensorboard_sidecar_on_the_training_image_needs_no_gpu(tmp_path):
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  tb:\n    image: someone/buildings:torch2.3.0-cu11.8\n"
                       "    command: tensorboard --logdir=/runs\n")
    assert _said(compose) == []


def test_a_parameter_server_beside_gpu_workers_is_on_the_cpu_by_design(tmp_path):
    # a TFJob whose PS replica runs --device=cpu with no GPU, while its workers ask for two
    job = tmp_path / "tf_cnn_training.yaml"
    job.write_text("""apiVersion: kubeflow.org/v1
kind: TFJob
metadata:
  name: cnn
spec:
  tfReplicaSpecs:
    Ps:
      template:
        spec:
          containers:
          - name: tensorflow
            image: nvcr.io/nvidia/tensorflow:24.01-tf2-py3
            args: [python, tf_cnn_benchmarks.py, --device=cpu]
    Worker:
      replicas: 1
      template:
        spec:
          containers:
          - name: tensorflow
            image: nvcr.io/nvidia/tensorflow:24.01-tf2-py3
            args: [python, tf_cnn_benchmarks.py, --device=gpu]
            resources:
              limits:
                nvidia.com/gpu: 2
""")
    assert _said(job) == []
    # the same job without the workers' GPUs: nothing in it is given a GPU, so the CUDA image is left without one
    job.write_text(job.read_text().replace("            resources:\n              limits:\n                nvidia.com/gpu: 2\n", ""))
    assert [code for code, _ in _said(job)] == ["WG718", "WG729", "WG729"]
