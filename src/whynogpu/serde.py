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


def to_data(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise SerdeError(f"cannot serialise {type(obj).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(tp: Any, data: Any, where: str = "$") -> Any:
    """Build a value of type `tp` from JSON data; `where` names the spot for error messages."""
    if tp is Any:
        return data
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
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
        if data not in typing.get_args(tp):
            raise SerdeError(f"{where}: {data!r} is not one of {typing.get_args(tp)}")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise SerdeError(f"{where}: expected a list")
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], x, f"{where}[{i}]") for i, x in enumerate(data))
        if len(args) != len(data):
            raise SerdeError(f"{where}: expected {len(args)} items")
        return tuple(from_data(a, x, f"{where}[{i}]") for i, (a, x) in enumerate(zip(args, data, strict=True)))
    if origin is dict:
        if not isinstance(data, dict):
            raise SerdeError(f"{where}: expected an object")
        _, vt = typing.get_args(tp)
        return {str(k): from_data(vt, v, f"{where}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError as exc:
            raise SerdeError(f"{where}: {exc}") from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise SerdeError(f"{where}: expected an object for {tp.__name__}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = from_data(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SerdeError(f"{where}: missing field {f.name!r}")
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
    if tp in (str, bool):
        if not isinstance(data, tp):
            raise SerdeError(f"{where}: expected {tp.__name__}")
        return data
    if tp is type(None):
        if data is not None:
            raise SerdeError(f"{where}: expected null")
        return None
    raise SerdeError(f"{where}: unsupported type {tp!r}")
