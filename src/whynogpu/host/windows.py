"""Native Windows through the host seam: path rules, program lookup and a fixture host.

Everything here is pure over what a host returns (environment, stat results, command output), so it is
imported and tested on Linux; only `whynogpu.host.real` touches a real Windows machine, selected by
`sys.platform == "win32"` there. Nothing in this module reads /proc, /sys or runs ldconfig: on Windows
a program is found the way CreateProcess and `where` find it (PATH split on ";", the PATHEXT
extensions), and paths are joined with ntpath (backslashes, drive letters, no case).

Where the NVIDIA files are on Windows (each a documented or commonly shown location):
- nvidia-smi.exe: C:\\Windows\\System32 (DCH drivers) or, with older drivers,
  C:\\Program Files\\NVIDIA Corporation\\NVSMI (both shown in public nvidia-smi captures);
- nvcuda.dll (the CUDA driver API) and nvml.dll: C:\\Windows\\System32 (older drivers put nvml.dll in NVSMI);
- CUDA toolkits: C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\vX.Y, named by CUDA_PATH and
  CUDA_PATH_VX_Y, the DLLs in its bin folder.
"""

from __future__ import annotations

import ntpath
import posixpath
import re
import stat as _stat
from collections.abc import Mapping, Sequence
from typing import Any

from whynogpu.host.base import FileStat, Host
from whynogpu.host.fake import FakeHost

SYSTEM32 = "C:\\Windows\\System32"
NVSMI = "C:\\Program Files\\NVIDIA Corporation\\NVSMI"
DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD"
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_windows(host: Host) -> bool:
    return host.uname().system == "Windows"


def split_path_list(value: str) -> list[str]:
    """Entries of a Windows PATH-like value: split on ';', quotes around an entry dropped, empties skipped."""
    return [e.strip().strip('"') for e in value.split(";") if e.strip().strip('"')]


def system_root(env: Mapping[str, str]) -> str:
    return env.get("SYSTEMROOT") or env.get("WINDIR") or "C:\\Windows"


def system32(env: Mapping[str, str]) -> str:
    return ntpath.join(system_root(env), "System32")


def same_path(a: str, b: str) -> bool:
    return path_key(a) == path_key(b)


def path_key(path: str) -> str:
    """A comparable form of a Windows path: one separator, no trailing one, no case."""
    return ntpath.normpath(path.replace("/", "\\")).rstrip("\\").casefold()


def which(host: Host, name: str, path: str | None = None) -> str | None:
    """The program `name` as PATH and PATHEXT find it (what `where name` prints first)."""
    env = host.env()
    search = env.get("PATH", "") if path is None else path
    exts = [e.lower() for e in (env.get("PATHEXT") or DEFAULT_PATHEXT).split(";") if e]
    has_ext = ntpath.splitext(name)[1].lower() in exts
    names = [name] if has_ext else [name + e for e in exts]
    for d in split_path_list(search):
        for n in names:
            cand = ntpath.join(d, n)
            st = host.stat(cand)
            if st is not None and _stat.S_ISREG(st.mode):
                return cand
    return None


def windows_release_name(release: str, version: str) -> str:
    """'Windows 11 (build 22631)' from platform.uname(): Python before 3.12 reports release '10' on Windows 11
    too, so the build number decides (Windows 11 starts at build 22000)."""
    parts = version.split(".")
    build = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    name = "11" if build is not None and build >= 22000 else (release or "?")
    return f"Windows {name}" + (f" (build {build})" if build is not None else "")


# --- a fixture host whose paths are Windows paths -------------------------------------------------


def canon(path: str) -> str:
    """'C:\\Windows\\System32\\' -> 'C:/Windows/System32' (the form the fixture host keys files by)."""
    s = path.replace("\\", "/")
    if _DRIVE.match(s):
        rest = posixpath.normpath("/" + s[2:].lstrip("/"))
        return s[0].upper() + ":" + ("" if rest == "/" else rest)
    return posixpath.normpath(s) if s else s


def to_windows(key: str) -> str:
    return key.replace("/", "\\") + ("\\" if len(key) == 2 and key[1] == ":" else "")


def _from_fixture_root(path: str) -> str:
    """A file under the fixture's root/ folder: root/C/Windows/... is C:\\Windows\\..."""
    parts = path.lstrip("/").split("/", 1)
    if len(parts[0]) == 1 and parts[0].isalpha():
        return canon(f"{parts[0]}:/{parts[1] if len(parts) > 1 else ''}")
    return canon(path)


class WindowsFakeHost(FakeHost):
    """A FakeHost for a native Windows machine: paths with drive letters and either slash, no case,
    PATH split on ';', environment names upper-cased as os.environ has them on Windows.

    Made by `FakeHost.from_folder` when host.json's uname says Windows; the fixture's root/C/... folder is
    drive C:. Every path asked for is recorded in `reads` (a test asserts no Linux-only path is touched)."""

    def __init__(self, files: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None,
                 stats: Mapping[str, FileStat] | None = None, symlinks: Mapping[str, str] | None = None,
                 listings: Mapping[str, Sequence[str]] | None = None, **kwargs: Any) -> None:
        self.reads: list[tuple[str, str]] = []
        super().__init__(
            files={_from_fixture_root(k): v for k, v in (files or {}).items()},
            env={k.upper(): v for k, v in (env or {}).items()},
            stats={_from_fixture_root(k): v for k, v in (stats or {}).items()},
            symlinks={_from_fixture_root(k): canon(v) for k, v in (symlinks or {}).items()},
            listings={_from_fixture_root(k): v for k, v in (listings or {}).items()},
            **kwargs,
        )
        self._case = {p.casefold(): p for p in [*self.files, *self.stats, *self.symlinks, *self.listings, *self._dirs]}

    def _key(self, path: str) -> str:
        key = canon(path)
        return self._case.get(key.casefold(), key)

    def _record(self, kind: str, path: str) -> str:
        self.reads.append((kind, path))
        return self._key(path)

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        return super().read_text(self._record("read", path), limit)

    def listdir(self, path: str) -> list[str] | None:
        return super().listdir(self._record("listdir", path))

    def stat(self, path: str) -> FileStat | None:
        return super().stat(self._record("stat", path))

    def realpath(self, path: str) -> str:
        return to_windows(super().realpath(self._key(path)))

    def readlink(self, path: str) -> str | None:
        target = super().readlink(self._key(path))
        return to_windows(target) if target else None

    def _is_command(self, path: str) -> bool:
        key = canon(path).casefold()
        return any(c.get("argv") and canon(c["argv"][0]).casefold() == key and not c.get("not_found")
                   for c in self.commands)

    def run(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None):
        self.reads.append(("run", argv[0] if argv else ""))
        return super().run(argv, timeout, env)

    def cpu_count(self) -> int:
        return self.cpus


# --- display adapters (the GPU as Windows lists it) -----------------------------------------------

# Format-List output of Get-CimInstance/Get-WmiObject Win32_VideoController: `Name : value` records separated
# by blank lines. whynogpu asks for the properties it reads only.
VIDEO_CONTROLLER_PS = ("Get-CimInstance -ClassName Win32_VideoController | Format-List "
                       "Name,PNPDeviceID,DriverVersion,ConfigManagerErrorCode,Status")
WMIC_ARGV = ("wmic", "path", "win32_VideoController", "get", "Name,PNPDeviceID,DriverVersion", "/format:list")

_VEN = re.compile(r"VEN_([0-9A-Fa-f]{4})")
_DEV = re.compile(r"DEV_([0-9A-Fa-f]{4})")
_CC = re.compile(r"CC_([0-9A-Fa-f]{4,6})")


def parse_format_list(text: str) -> list[dict[str, str]]:
    """Records of PowerShell's Format-List (`Key : Value`) or `wmic ... /format:list` (`Key=Value`) output."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = None
    for raw in text.replace("\r", "").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if current:
                records.append(current)
                current, key = {}, None
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s?|=)(.*)$", line)
        if m:
            key = m.group(1)
            current[key] = m.group(2).strip()
        elif key and raw.startswith(" "):  # Format-List wraps long values onto indented lines
            current[key] += line.strip()
    if current:
        records.append(current)
    return records


def pci_ids(pnp_device_id: str) -> tuple[str | None, str | None]:
    """('0x10de', '0x1f11') from 'PCI\\VEN_10DE&DEV_1F11&SUBSYS_126A1462&REV_A1\\4&1FF5DE47&0&0008'."""
    ven, dev = _VEN.search(pnp_device_id or ""), _DEV.search(pnp_device_id or "")
    return (f"0x{ven.group(1).lower()}" if ven else None, f"0x{dev.group(1).lower()}" if dev else None)


def nvidia_version_from_windows(driver_version: str) -> str | None:
    """NVIDIA's driver number from the Windows driver version: the last five digits of 31.0.15.3623 are 536.23
    (the Windows version of an NVIDIA driver ends in its release number, e.g. 27.21.14.5541 is 455.41)."""
    digits = "".join(driver_version.split(".")[-2:]) if driver_version.count(".") >= 3 else ""
    if len(digits) < 5 or not digits.isdigit():
        return None
    tail = digits[-5:]
    return f"{int(tail[:3])}.{tail[3:]}"
