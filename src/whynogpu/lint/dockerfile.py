"""Dockerfile / Containerfile: stages, their base images, what RUN installs, ENV, CMD and ENTRYPOINT.

Read as Docker reads it: the `# escape=` directive, continuation lines (comment lines inside them
dropped), heredocs, ARG and ENV values substituted into FROM and RUN words (`${VAR}`, `${VAR:-x}`,
`${VAR:+x}`). Shell commands are not run: a RUN's words are split with quotes respected and the
package installs in it (pip, uv pip, conda/mamba, apt) are read for what they install.
"""

from __future__ import annotations

import json
import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import Command, DeclaredFile, EnvVar, Requirement, Spot, Stage
from whynogpu.lint.common import conda_requirement, pip_requirement, python_spec, spot

MAX_INSTRUCTIONS = 5000
_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.I)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][\w]*)[\"']?")
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?:(:?[-+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_]\w*))")
_PIP_OPTS_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-r", "--requirement", "-c", "--constraint",
    "-t", "--target", "--prefix", "--root", "--trusted-host", "--platform", "--python-version", "--implementation",
    "--abi", "--no-binary", "--only-binary", "--progress-bar", "--cache-dir", "--src", "--upgrade-strategy",
    "-C", "--config-settings", "--global-option", "--log", "--timeout", "--retries", "--proxy", "--cert",
    "--client-cert", "--exists-action", "--root-user-action", "--report", "--python", "-e", "--editable",
    "--index-strategy", "--default-index", "--index", "--group", "--extra",
}
_CONDA_OPTS_WITH_VALUE = {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--file", "--override-channels-x"}
_INDEX_OPTS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--index", "--default-index"}
_SEPARATORS = {"&&", "||", ";", "|", "&"}
CUDA_LIBS = re.compile(r"^(?:libcublas|cuda-libraries|cuda-toolkit|cuda-runtime|cuda-cudart|cudatoolkit|cuda-cublas|"
                       r"nvidia-cuda-toolkit|nvidia-cuda-runtime|nvidia-cublas|cuda-\d|cuda$)", re.I)
CUDNN = re.compile(r"^(?:libcudnn|cudnn|nvidia-cudnn)", re.I)
_PY_IMAGE = re.compile(r"^(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)")


class _Instr:
    __slots__ = ("keyword", "text", "segments", "line")

    def __init__(self, keyword: str, text: str, segments: list[tuple[int, int, int]], line: int):
        self.keyword, self.text, self.segments, self.line = keyword, text, segments, line

    def where(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset in the joined text."""
        line, col = self.segments[0][1], self.segments[0][2]
        for start, ln, c in self.segments:
            if start > offset:
                break
            line, col = ln, c + (offset - start)
        return line, col + 1


def instructions(text: str) -> list[_Instr]:
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:  # parser directives come first
        m = _DIRECTIVE.match(raw.strip())
        if m:
            escape = m.group(1)
            break
        if not raw.startswith("#"):
            break
    out: list[_Instr] = []
    i = 0
    while i < len(lines) and len(out) < MAX_INSTRUCTIONS:
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start_line = i + 1
        indent = len(raw) - len(raw.lstrip())
        parts: list[str] = []
        segments: list[tuple[int, int, int]] = []
        length = 0
        cur, cur_indent, n = raw.rstrip(), indent, i
        while True:
            cont = cur.endswith(escape)
            piece = cur[cur_indent:-1] if cont else cur[cur_indent:]
            segments.append((length, n + 1, cur_indent))
            parts.append(piece + " ")
            length += len(piece) + 1
            n += 1
            if not cont:
                break
            while n < len(lines) and lines[n].strip().startswith("#"):
                n += 1  # comment lines inside a continuation are dropped
            if n >= len(lines):
                break
            cur = lines[n].rstrip()
            cur_indent = len(cur) - len(cur.lstrip())
        joined = "".join(parts)
        keyword, _, _ = joined.strip().partition(" ")
        heredoc = _HEREDOC.search(joined) if keyword.upper() in ("RUN", "COPY", "ADD") else None
        if heredoc:  # the body belongs to the instruction (RUN <<EOF … EOF)
            end = heredoc.group(1)
            while n < len(lines) and lines[n].strip() != end:
                body = lines[n]
                segments.append((length, n + 1, 0))
                parts.append(body + " ; ")
                length += len(body) + 3
                n += 1
            n += 1
            joined = "".join(parts)
        out.append(_Instr(keyword.upper(), joined, segments, start_line))
        i = n
    return out


def substitute(word: str, values: dict[str, str], depth: int = 0) -> str:
    if "$" not in word or depth > 5:
        return word

    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, alt = m.group(2), m.group(3)
        value = values.get(name, "")
        if op in (":-", "-"):
            return value if value else substitute(alt or "", values, depth + 1)
        if op in (":+", "+"):
            return substitute(alt or "", values, depth + 1) if value else ""
        return value

    return _VAR.sub(repl, word)[:2000]


def words(text: str) -> list[tuple[int, str]]:
    """Shell-like words with their offsets: quotes removed, quoted spaces kept, no expansion."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        start, buf = i, []
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch in "'\"":
                close = text.find(ch, i + 1)
                if close < 0:
                    close = n
                buf.append(text[i + 1:close])
                i = close + 1
            elif ch == ";" or (ch in "&|" and i + 1 < n and text[i + 1] == ch):
                if buf:
                    break
                j = i + (2 if ch in "&|" else 1)
                buf.append(text[i:j])
                i = j
                break
            else:
                buf.append(ch)
                i += 1
        out.append((start, "".join(buf)))
    return out


def _commands(ws: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    cmds, cur = [], []
    for w in ws:
        if w[1] in _SEPARATORS:
            if cur:
                cmds.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        cmds.append(cur)
    return cmds


_MAX_RUN_WORDS = 20_000  # words of one RUN after its command variables are split: real ones have tens


def _is_pip(word: str) -> bool:
    return bool(re.fullmatch(r"pip(?:3(?:\.\d+)?)?", posixpath.basename(word)))


def _install_args(cmd: list[tuple[int, str]]) -> tuple[str, list[tuple[int, str]]] | None:
    """('pip'|'conda', argument words) when the command installs packages."""
    names = [w for _, w in cmd]
    for i, w in enumerate(names[:8]):
        base = posixpath.basename(w)
        if _is_pip(w) and i + 1 < len(names) and names[i + 1] == "install":
            return "pip", cmd[i + 2:]
        if re.fullmatch(r"python(?:\d(?:\.\d+)?)?", base) and names[i + 1:i + 4] == ["-m", "pip", "install"]:
            return "pip", cmd[i + 4:]
        if base == "uv" and names[i + 1:i + 3] == ["pip", "install"]:
            return "pip", cmd[i + 3:]
        if base in ("conda", "mamba", "micromamba") and i + 1 < len(names) and names[i + 1] == "install":
            return "conda", cmd[i + 2:]
    return None


def _requirements(tool: str, args: list[tuple[int, str]], ins: _Instr, lines: list[str], values: dict[str, str],
                  group: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    opts_with_value = _PIP_OPTS_WITH_VALUE if tool == "pip" else _CONDA_OPTS_WITH_VALUE
    index: list[str] = []
    pending: list[tuple[int, str]] = []
    skip_next, prev = False, ""
    for off, raw in args:
        w = substitute(raw, values)
        if skip_next:
            skip_next = False
            if prev in _INDEX_OPTS:
                index.append(w)
            continue
        if w.startswith("-"):
            opt, eq, val = w.partition("=")
            if opt in _INDEX_OPTS and eq:
                index.append(val)
            elif opt in opts_with_value and not eq:
                skip_next = True
                prev = opt
            continue
        if w.startswith((">", "<")) or w in ("\\",):
            break  # a redirection: the command's own words end here
        pending.append((off, w))
    for off, w in pending:
        line, col = ins.where(off)
        where = spot(lines, line, col)
        r = (conda_requirement(w, where, group=group) if tool == "conda"
             else pip_requirement(w, where, group=group, index=" ".join(index)))
        if r is not None:
            reqs.append(r)
    return reqs


def installs(text: str, where: Spot, lines: list[str], group: str) -> list[Requirement]:
    """The packages one shell command line installs (pip, uv pip, python -m pip, conda, mamba), as requirements
    placed on its line: what a launcher or install script's `pip install …` lines give an environment."""
    ins = _Instr("RUN", text, [(0, where.line, where.column - 1)], where.line)
    out: list[Requirement] = []
    for cmd in _commands(words(text)):
        found = _install_args(cmd)
        if found:
            out.extend(_requirements(found[0], found[1], ins, lines, {}, group))
    return out


def exec_form(body: str) -> str:
    """A CMD/ENTRYPOINT as one command line: the exec form's JSON list joined with spaces, the shell form as it is."""
    if body.startswith("["):
        try:
            items = json.loads(body)
        except ValueError:
            return body
        if isinstance(items, list):
            return " ".join(str(i) for i in items)
    return body


def read(path: str, text: str) -> DeclaredFile:
    lines = text.splitlines()
    stages: list[dict] = []
    global_args: dict[str, str] = {}
    for ins in instructions(text):
        body = ins.text.strip()[len(ins.keyword):].strip()
        if ins.keyword == "ARG":
            target = stages[-1]["values"] if stages else global_args
            for _, w in words(body):
                name, eq, default = w.partition("=")
                if eq:
                    target[name] = substitute(default, {**global_args, **target})
                elif stages and name in global_args:
                    target[name] = global_args[name]  # `ARG NAME` in a stage brings the global default in
            continue
        if ins.keyword == "FROM":
            ws = [(o, w) for o, w in words(body) if not w.startswith("--")]
            if not ws:
                continue
            off, raw = ws[0]
            image = substitute(raw, global_args)
            name = ws[2][1].lower() if len(ws) >= 3 and ws[1][1].lower() == "as" else ""
            names = {s["name"]: s["index"] for s in stages if s["name"]}
            parent = names.get(image.lower())
            line, col = ins.where(len(ins.text) - len(ins.text.lstrip()) + len(ins.keyword) + 1 + body.find(raw))
            py = _PY_IMAGE.match(image.lower())
            inherited = dict(stages[parent]["values"]) if parent is not None else {}
            stages.append({"index": len(stages), "image": image, "name": name, "parent": parent,
                           "spot": spot(lines, line, col), "reqs": [], "env": [], "cmds": [], "cuda": False, "cudnn": False,
                           "values": inherited, "python": python_spec(py.group(1)) if py else
                           (stages[parent]["python"] if parent is not None else "")})
            continue
        if not stages:
            continue
        st = stages[-1]
        lead = len(ins.text) - len(ins.text.lstrip()) + len(ins.keyword) + 1
        if ins.keyword == "ENV":
            ws = words(body)
            pairs: list[tuple[int, str, str]] = []
            if ws and "=" not in ws[0][1]:  # legacy `ENV NAME value with spaces`
                pairs.append((ws[0][0], ws[0][1], " ".join(w for _, w in ws[1:])))
            else:
                for o, w in ws:
                    name, eq, value = w.partition("=")
                    if eq:
                        pairs.append((o, name, value))
            for o, name, value in pairs:
                value = substitute(value, st["values"])
                st["values"][name] = value
                line, col = ins.where(lead + o)
                st["env"].append(EnvVar(name, value, spot(lines, line, col)))
        elif ins.keyword in ("CMD", "ENTRYPOINT") and body:
            line, col = ins.where(lead)
            st["cmds"].append(Command(exec_form(body), spot(lines, line, col), ins.keyword))
        elif ins.keyword == "RUN":
            # a variable that holds a command ("ENV PIP_CMD=python3.11 -m pip", then "${PIP_CMD} install …") is
            # split into its words, as the shell does
            ws = []
            for o, w in words(body):
                v = substitute(w, st["values"])
                ws.extend((lead + o, part) for part in (v.split() if v != w and " " in v.strip() else [w]))
                if len(ws) > _MAX_RUN_WORDS:  # a hostile file's variables expanding into millions of words
                    break
            for cmd in _commands(ws):
                found = _install_args(cmd)
                if found:
                    st["reqs"].extend(_requirements(found[0], found[1], ins, lines, st["values"],
                                                    f"RUN at line {ins.line}"))
            for _, w in ws:
                w = substitute(w, st["values"])
                st["cuda"] = st["cuda"] or bool(CUDA_LIBS.match(w))
                st["cudnn"] = st["cudnn"] or bool(CUDNN.match(w))
    out = tuple(Stage(s["index"], s["image"], s["name"], s["parent"], s["spot"], tuple(s["reqs"]), tuple(s["env"]),
                      s["cuda"], s["cudnn"], s["python"], tuple(s["cmds"])) for s in stages)
    return DeclaredFile(path, K.DOCKERFILE, stages=out)
