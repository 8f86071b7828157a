"""Turn frozen dataclasses into JSON-ready data and back.

Every fact, finding and report in whynogpu is a frozen dataclass built from plain types
(str, int, float, bool, None, Enum, tuples, dicts with str keys, other dataclasses). This
module is the one place that knows how to walk those types, so a snapshot written by one
version can be read back by `check --from` and give the same findings.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache
from typing import Any, Union


class SerdeError(ValueError):
    """Raised when JSON data does not fit the dataclass it should become."""


_LEAVES = frozenset((str, int, float, bool, type(None)))  # exact types: an Enum built on str is not a leaf


def to_data(obj: Any) -> Any:
    if type(obj) in _LEAVES:  # most values are; asked first, a big snapshot converts in half the time
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_data(getattr(obj, name)) for name in _names(type(obj))}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (str, int, float, bool)):
        return obj
    raise SerdeError(f"cannot serialise {type(obj).__name__}")


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _shape(tp: Any) -> tuple[Any, tuple]:
    """(origin, args) of a type, asked once per type: a big snapshot (or a fleet of them) asks it for every value."""
    return typing.get_origin(tp), typing.get_args(tp)


@cache
def _fields(cls: type) -> tuple:
    """(name, type hint, required) of each field of a dataclass."""
    hints = _hints(cls)
    return tuple((f.name, hints[f.name], f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                 for f in dataclasses.fields(cls))


def from_data(tp: Any, data: Any, where: str = "$") -> Any:
    """Build a value of type `tp` from JSON data; `where` names the spot for error messages."""
    if tp is Any:
        return data
    if tp is str or tp is bool:  # the commonest leaves first
        if not isinstance(data, tp):
            raise SerdeError(f"{where}: expected {tp.__name__}")
        return data
    origin, args = _shape(tp)
    if origin in (Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return from_data(arg, data, where)
            except SerdeError as exc:
                errors.append(str(exc))
        raise SerdeError("; ".join(errors) or f"{where}: no matching type")
    if origin is typing.Literal:
        if data not in args:
            raise SerdeError(f"{where}: {data!r} is not one of {args}")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise SerdeError(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], x, f"{where}[{i}]") for i, x in enumerate(data))
        if len(args) != len(data):
            raise SerdeError(f"{where}: expected {len(args)} items")
        return tuple(from_data(a, x, f"{where}[{i}]") for i, (a, x) in enumerate(zip(args, data, strict=True)))
    if origin is dict:
        if not isinstance(data, dict):
            raise SerdeError(f"{where}: expected an object")
        _, vt = args
        return {str(k): from_data(vt, v, f"{where}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError as exc:
            raise SerdeError(f"{where}: {exc}") from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise SerdeError(f"{where}: expected an object for {tp.__name__}")
        kwargs = {}
        for name, hint, required in _fields(tp):
            if name in data:
                kwargs[name] = from_data(hint, data[name], f"{where}.{name}")
            elif required:
                raise SerdeError(f"{where}: missing field {name!r}")
        return tp(**kwargs)
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise SerdeError(f"{where}: expected a number")
        try:
            return float(data)
        except OverflowError:  # an integer of hundreds of digits
            raise SerdeError(f"{where}: number out of range") from None
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise SerdeError(f"{where}: expected an integer")
        return data
    if tp is type(None):
        if data is not None:
            raise SerdeError(f"{where}: expected null")
        return None
    raise SerdeError(f"{where}: unsupported type {tp!r}")
