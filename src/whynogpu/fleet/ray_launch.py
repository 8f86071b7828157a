"""`whynogpu fleet --ray`: one snapshot task per alive node of a Ray cluster, gathered here.

Each task is pinned to its node (node affinity, not soft), asks for no CPU and no GPU so that it runs beside
whatever jobs hold the node, is never retried (a node that dies is reported, not silently replaced), and
runs `whynogpu snapshot` in a child process (node_task.py) against the interpreter Ray runs tasks with
(or --python, looked up on the node). whynogpu is shipped to the nodes with the task (runtime_env
py_modules): a node needs Ray, not whynogpu. Ray is imported only here, only for `--ray`.
"""

from __future__ import annotations

import os
import signal
import time

from whynogpu.fleet.model import ANSWERED, FAILED, NO_ANSWER, Node

# Older Rays set CUDA_VISIBLE_DEVICES="" in a task that asks for no GPU: the snapshot would then report
# Ray's hiding, not the node's setting. This asks Ray to leave the node's own value in place.
TASK_ENV = {"RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES": "1"}


class RayError(RuntimeError):
    pass


def import_ray():
    try:
        import ray
    except ImportError:
        raise RayError("--ray needs Ray in whynogpu's environment: pip install 'whynogpu[ray]'") from None
    return ray


def _names(alive: list[dict]) -> list[str]:
    """Host names as Ray reports them; a host that runs several nodes gets each node's id prefix added."""
    hosts = [n.get("NodeManagerHostname") or n.get("NodeManagerAddress") or n["NodeID"][:12] for n in alive]
    return [f"{h}:{n['NodeID'][:8]}" if hosts.count(h) > 1 else h for h, n in zip(hosts, alive, strict=True)]


def _task(ray):
    from whynogpu.fleet import node_task

    return ray.remote(node_task.take_snapshot)


def gather(address: str, python: str | None, no_probe: bool, timeout: float, progress=None) -> tuple[str, list[Node]]:
    """(where, nodes): every node alive when asked, each answered, failed, or not answering within `timeout` s."""
    import contextlib
    import sys

    # Ray's driver prints the cluster's own errors ("(raylet) Raylet is terminated…" when a node dies) on
    # stdout from a thread of its own: they go to stderr, so that stdout stays the report (--json parses).
    with contextlib.redirect_stdout(sys.stderr):
        return _gather(address, python, no_probe, timeout, progress)


def _gather(address: str, python: str | None, no_probe: bool, timeout: float, progress) -> tuple[str, list[Node]]:
    ray = import_ray()
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    import whynogpu
    from whynogpu.snapshot_io import SnapshotError, from_data

    package = os.path.dirname(os.path.abspath(whynogpu.__file__))
    on_term = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(address=address, logging_level="ERROR", log_to_driver=False, configure_logging=True,
                 runtime_env={"py_modules": [package], "excludes": ["__pycache__", "*.pyc"], "env_vars": TASK_ENV})
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayError(f"cannot connect to the Ray cluster at {address}: {str(exc).splitlines()[0][:300]}") from None
    if callable(on_term) or on_term == signal.SIG_IGN:
        signal.signal(signal.SIGTERM, on_term)  # Ray's driver installs its own: SIGTERM should still cancel the tasks
    try:
        alive = [n for n in ray.nodes() if n.get("Alive")]
        where = f"Ray cluster at {address}" if address != "auto" else "Ray cluster (address auto)"
        nodes = [Node(name=name, address=n.get("NodeManagerAddress"), node_id=n["NodeID"])
                 for name, n in zip(_names(alive), alive, strict=True)]
        task = _task(ray)
        pending = {}
        for node in nodes:
            ref = task.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node.node_id, soft=False),
                               num_cpus=0, num_gpus=0, max_retries=0, name="whynogpu-snapshot").remote(
                python, no_probe, max(1.0, timeout * 0.9))  # the child ends itself before we give up on the node
            pending[ref] = node
        _wait(ray, pending, nodes, timeout, progress, from_data, SnapshotError)
        return where, nodes
    finally:
        ray.shutdown()


def _wait(ray, pending: dict, nodes: list[Node], timeout: float, progress, from_data, SnapshotError) -> None:
    deadline = time.monotonic() + timeout
    done_count = 0
    try:
        while pending and time.monotonic() < deadline:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            for ref in ready:
                node = pending.pop(ref)
                _settle(ray, ref, node, from_data, SnapshotError)
                done_count += 1
                if progress:
                    progress(done_count, len(nodes), node)
    except KeyboardInterrupt:
        _cancel(ray, pending)
        raise
    for node in pending.values():
        node.status = NO_ANSWER
        node.reason = f"no answer within {timeout:g} s (Ray node {node.node_id}, {node.address})"
    _cancel(ray, pending)


def _settle(ray, ref, node: Node, from_data, SnapshotError) -> None:
    import json

    try:
        answer = ray.get(ref)
    except ray.exceptions.RayError as exc:  # the node died, the worker crashed, the task was cancelled
        node.status = NO_ANSWER
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        node.reason = f"{type(exc).__name__}: {first} (Ray node {node.node_id}, {node.address})"
        return
    if "snapshot" not in answer:
        node.status = NO_ANSWER if answer.get("timed_out") else FAILED
        node.reason = f"{answer.get('error') or 'no snapshot'} (Ray node {node.node_id}, {node.address})"
        return
    try:
        node.snapshot = from_data(json.loads(answer["snapshot"]))
        node.status = ANSWERED
    except (ValueError, SnapshotError) as exc:
        node.status, node.reason = FAILED, f"the node's snapshot cannot be read: {str(exc)[:300]}"


def _cancel(ray, pending: dict) -> None:
    """Cancel what is still running. Not force: the task gets a KeyboardInterrupt, which ends its child too."""
    for ref in pending:
        try:
            ray.cancel(ref, force=False)
        except Exception:  # already finished, or the node is gone: nothing left to cancel
            pass
