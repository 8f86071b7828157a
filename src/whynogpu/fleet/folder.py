"""`whynogpu fleet --from DIR`: a folder of saved snapshots, one per node, from any launcher (pdsh, a
Kubernetes DaemonSet, Ansible, `whynogpu fleet --slurm`). The node's name is the file's name without
`.json`; a file that is not a snapshot is listed as unreadable, never a reason to stop."""

from __future__ import annotations

import os

from whynogpu.fleet.model import UNREADABLE, Node
from whynogpu.snapshot_io import SnapshotError, load


class FolderError(ValueError):
    pass


def read_folder(folder: str) -> list[Node]:
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        raise FolderError(f"{folder}: no such folder") from None
    except NotADirectoryError:
        raise FolderError(f"{folder} is a file, not a folder of snapshots") from None
    except OSError as exc:
        raise FolderError(f"cannot read {folder}: {exc.strerror or exc}") from None
    nodes = []
    for name in names:
        path = os.path.join(folder, name)
        if not name.endswith(".json") or name.startswith(".") or not os.path.isfile(path):
            continue
        node = Node(name=name[: -len(".json")], address=path)
        try:
            node.snapshot = load(path)
        except SnapshotError as exc:
            node.status, node.reason = UNREADABLE, str(exc)
        except (OSError, MemoryError) as exc:
            node.status, node.reason = UNREADABLE, f"cannot read {path}: {exc}"
        nodes.append(node)
    if not nodes:
        raise FolderError(f"{folder} holds no .json files (one snapshot per node, from `whynogpu snapshot -o NODE.json`)")
    return nodes
