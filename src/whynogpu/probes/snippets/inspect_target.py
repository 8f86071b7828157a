# whynogpu's in-target inspector. It runs inside the interpreter being diagnosed, which may be
# as old as Python 3.7 and may have nothing but the standard library, so: stdlib only, no
# f-string "=" specifiers, no walrus, no new-style annotations. It never imports a framework:
# it reads package metadata and files, and prints one JSON object on stdout.
import base64
import hashlib
import importlib.util
import json
import os
import platform
import re
import sys

INSPECTOR_VERSION = 1

# Distributions whose installed-file records matter to diagnosis.
INTERESTING = re.compile(
    r"^(tensorflow.*|tf[-_]nightly.*|tf[-_]keras.*|intel[-_]tensorflow.*|keras.*|torch.*|jax.*|"
    r"nvidia[-_].*|tensorrt.*|cupy.*|libtpu.*)$",
    re.I,
)
FRAMEWORK_PACKAGES = ["tensorflow", "keras", "tf_keras", "torch", "jax", "jaxlib", "jax_plugins"]
# Files read so whynogpu can learn a build's facts without importing it.
FILES_TO_READ = [
    "tensorflow/python/platform/build_info.py",
    "tensorflow/__init__.py",
    "torch/version.py",
    "jax/version.py",
    "jaxlib/version.py",
    "keras/src/version.py",
    "keras/__init__.py",
    "tf_keras/__init__.py",
]
LIB_FILE = re.compile(r"(^|/)(lib[^/]*\.so(\.[0-9.]+)?|[^/]*\.dll|lib[^/]*\.dylib)$", re.I)
MAX_RECORD_LINES = 60000
# Enough files to see a half-removed install (an uninstalled sibling takes nearly all shared
# files with it) without a stat() for each of TensorFlow's 20,000 files.
INTEGRITY_SAMPLE = 300
OWNER_SAMPLE = 64  # differing files compared to tell which variant owns a package
HASH_LIMIT = 1 << 20  # larger files are compared by size only, never read


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read(path, limit=1 << 20):
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except (OSError, IOError):
        return None


def parse_metadata(text):
    meta = {"name": None, "version": None, "requires": []}
    for line in (text or "").splitlines():
        if not line.strip():
            break  # headers end at the first blank line
        key, _, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if key == "name":
            meta["name"] = value
        elif key == "version":
            meta["version"] = value
        elif key == "requires-dist":
            meta["requires"].append(value)
    return meta


def parse_record(text):
    rows = []
    for i, line in enumerate((text or "").splitlines()):
        if i >= MAX_RECORD_LINES:
            break
        parts = line.rsplit(",", 2)
        if len(parts) != 3:
            continue
        size = int(parts[2]) if parts[2].strip().isdigit() and len(parts[2].strip()) < 16 else None
        rows.append((parts[0].strip('"'), parts[1], size))
    return rows


def file_hash(path):
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except (OSError, IOError):
        return None
    return "sha256=" + base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode("ascii")


def site_dirs():
    seen = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real not in seen:
            seen.append(real)
    return seen


def scan_distributions():
    dists = []
    seen = set()
    for location in site_dirs():
        try:
            names = sorted(os.listdir(location))
        except OSError:
            continue
        for entry in names:
            if not (entry.endswith(".dist-info") or entry.endswith(".egg-info")):
                continue
            info_dir = os.path.join(location, entry)
            meta_text = read(os.path.join(info_dir, "METADATA")) or read(os.path.join(info_dir, "PKG-INFO"))
            if meta_text is None and os.path.isfile(info_dir):
                meta_text = read(info_dir)
            meta = parse_metadata(meta_text)
            if not meta["name"]:
                continue
            key = norm(meta["name"])
            if key in seen:
                continue  # the first on sys.path is the one Python uses
            seen.add(key)
            dist = {
                "name": meta["name"],
                "version": meta["version"] or "",
                "location": location,
                "installer": (read(os.path.join(info_dir, "INSTALLER")) or "").strip() or None,
                "top_level": [],
                "requires": [],
                "lib_files": [],
                "record_rows": None,
            }
            top = read(os.path.join(info_dir, "top_level.txt"))
            if top:
                dist["top_level"] = sorted(set(t.strip() for t in top.splitlines() if t.strip()))
            if INTERESTING.match(meta["name"]):
                dist["requires"] = meta["requires"]
                rows = parse_record(read(os.path.join(info_dir, "RECORD"), limit=16 << 20))
                dist["record_rows"] = rows
                if not dist["top_level"]:
                    tops = set()
                    for path, _, _ in rows:
                        first = path.split("/", 1)[0]
                        if "/" in path and not first.endswith((".dist-info", ".data")) and first != "..":
                            tops.add(first)
                    dist["top_level"] = sorted(tops)
                dist["lib_files"] = [p for p, _, _ in rows if (".so" in p or ".dll" in p or ".dylib" in p)
                                     and LIB_FILE.search(p)][:2000]
                direct = read(os.path.join(info_dir, "direct_url.json"))
                if direct:
                    try:
                        dist["direct_url"] = json.loads(direct).get("url")
                    except ValueError:
                        pass
            dists.append(dist)
    return dists


def files_matching(top, claimers):
    """For each claimer, [files on disk that are its copy, files compared].

    Only files whose recorded hashes differ between the claimers tell who was installed last.
    Sizes decide first (a stat, no read); a file is hashed only when it is small, because the
    big ones (libtensorflow_cc.so is over 1 GB) would cost seconds and never add certainty a
    few small files do not give.
    """
    tables = [dict((p, (h, n)) for p, h, n in (d["record_rows"] or []) if p.startswith(top + "/") and h)
              for d in claimers]
    common = set(tables[0])
    for t in tables[1:]:
        common &= set(t)
    differing = [p for p in common if len(set(t[p][0] for t in tables)) > 1]
    # Smallest first: cheapest to hash, and plenty of them (Python files, metadata) differ.
    differing.sort(key=lambda p: (max(t[p][1] if t[p][1] is not None else HASH_LIMIT for t in tables), p))
    matches = dict((d["name"], [0, 0]) for d in claimers)
    for p in differing[:OWNER_SAMPLE]:
        sizes = [t[p][1] for t in tables]
        verdicts = []
        for i, d in enumerate(claimers):
            path = os.path.join(d["location"], p)
            try:
                on_disk = os.stat(path).st_size
            except OSError:
                verdicts.append(False)
                continue
            if sizes[i] is not None and sizes[i] != on_disk:
                verdicts.append(False)
            elif sizes[i] is not None and sizes.count(sizes[i]) == 1:
                verdicts.append(True)  # the only claimer whose copy has this size
            elif on_disk <= HASH_LIMIT:
                verdicts.append(file_hash(path) == tables[i][p][0])
            else:
                verdicts.append(None)  # telling would mean reading a large file
        if None in verdicts:
            continue
        for d, hit in zip(claimers, verdicts):
            matches[d["name"]][1] += 1
            matches[d["name"]][0] += 1 if hit else 0
    return matches


def owners_and_integrity(dists):
    """Which distribution's files are on disk for each framework package."""
    claims = {}
    for d in dists:
        for top in d["top_level"]:
            if top in FRAMEWORK_PACKAGES:
                claims.setdefault(top, []).append(d)
    result = {}
    for top, claimers in claims.items():
        info = {"claimed_by": [d["name"] for d in claimers], "owner": None, "matches": {}, "missing_files": {},
                "files_checked": {}}
        for d in claimers:
            rows = [p for p, _, _ in (d["record_rows"] or []) if p.startswith(top + "/")]
            step = max(1, len(rows) // INTEGRITY_SAMPLE)
            sample = rows[::step]
            missing = 0
            for p in sample:
                if not os.path.exists(os.path.join(d["location"], p)):
                    missing += 1
            info["missing_files"][d["name"]] = missing
            info["files_checked"][d["name"]] = len(sample)
        if len(claimers) > 1:
            matches = files_matching(top, claimers)
            info["matches"] = matches
            best = max(claimers, key=lambda d: matches[d["name"]][0])
            if matches[best["name"]][0] > 0:
                info["owner"] = best["name"]
        else:
            info["owner"] = claimers[0]["name"]
        result[top] = info
    return result


def find_packages():
    found = {}
    for name in FRAMEWORK_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)  # top-level: finds, does not import
        except (ImportError, ValueError, AttributeError):
            spec = None
        if spec is None:
            continue
        locations = list(spec.submodule_search_locations or [])
        found[name] = {
            "origin": spec.origin if spec.origin not in (None, "namespace") else None,
            "locations": locations,
            "namespace": spec.origin in (None, "namespace"),
        }
    return found


def read_known_files(packages):
    files = {}
    for rel in FILES_TO_READ:
        top, _, rest = rel.partition("/")
        pkg = packages.get(top)
        if not pkg:
            continue
        for loc in pkg["locations"]:
            text = read(os.path.join(loc, rest), limit=256 << 10)
            if text is not None:
                files[rel] = text
                break
    return files


def env_kind():
    prefix = os.path.realpath(sys.prefix)
    if os.path.isdir(os.path.join(prefix, "conda-meta")):
        return "conda"
    base = os.path.realpath(getattr(sys, "base_prefix", sys.prefix))
    if prefix != base or hasattr(sys, "real_prefix"):
        lowered = prefix.replace("\\", "/").lower()
        if "/pipx/venvs/" in lowered:
            return "pipx"
        if "/uv/" in lowered and "/tools/" in lowered:
            return "uv-tool"
        return "venv"
    return "system"


def main():
    dists = scan_distributions()
    packages = find_packages()
    owners = owners_and_integrity(dists)
    for d in dists:
        d.pop("record_rows", None)
    out = {
        "inspector_version": INSPECTOR_VERSION,
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "bits": 64 if sys.maxsize > 2 ** 32 else 32,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "env_kind": env_kind(),
        "platform": sys.platform,
        "machine": platform.machine(),
        "sys_path": [p for p in sys.path if p],
        "distributions": dists,
        "packages": packages,
        "owners": owners,
        "files": read_known_files(packages),
    }
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
