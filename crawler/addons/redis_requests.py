"""Requests in Redis as JSON: the scheduler serializer of distributed crawls (scrapy-redis'
``SCHEDULER_SERIALIZER``, a module with ``dumps`` and ``loads``; ``DistributedAddon`` sets it).

scrapy-redis pickles requests by default, and unpickling runs code: anyone who can write to the
Redis a worker reads from could run anything on every worker. JSON carries data only. The request
is the dict of Scrapy's own ``Request.to_dict(spider=...)``: callbacks and errbacks by name (the
spider method is looked up when the request is rebuilt), the body and header bytes base64-encoded.

What ``loads`` refuses (``ValueError``; the scheduler skips the entry and counts it): anything
that is not such a JSON object, a request class that is not a Scrapy ``Request``, a callback
name that is not a method name (or is a special one, ``__init__``). Meta values JSON cannot carry (objects of other libraries)
are left out with a warning, once per key; the request itself goes on.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from scrapy import Request
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)

_BYTES, _MAP = "$bytes", "$map"
_LOOSE = ("meta", "cb_kwargs")  # values a spider or a middleware chose; the rest is Scrapy's own
_warned: set[str] = set()


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {_MAP: [[_encode(k), _encode(v)] for k, v in value.items()]}  # bytes keys (headers)
    raise TypeError(f"{type(value).__name__} cannot travel as JSON")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES in value:
            return base64.b64decode(value[_BYTES], validate=True)
        if len(value) == 1 and _MAP in value:
            return {_key(_decode(k)): _decode(v) for k, v in value[_MAP]}
        return {k: _decode(v) for k, v in value.items()}
    return value


def _key(value: Any) -> Any:
    if isinstance(value, list):  # a tuple key came back as a list
        return tuple(value)
    return value


def dumps(request: dict[str, Any]) -> bytes:
    """``Request.to_dict()`` output -> JSON bytes."""
    out: dict[str, Any] = {}
    for name, value in request.items():
        if name in _LOOSE and isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                try:
                    kept[key] = _encode(item)
                except TypeError as exc:
                    if key not in _warned:
                        _warned.add(key)
                        logger.warning("Request %s %r left out of the shared queue: %s", name, key, exc)
            out[name] = {_MAP: [[_encode(k), v] for k, v in kept.items()]} \
                if not all(isinstance(k, str) and not k.startswith("$") for k in kept) else kept
        else:
            out[name] = _encode(value)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """JSON bytes -> the dict ``request_from_dict`` rebuilds a request from; ValueError when the
    entry is not one of ours (not JSON, a foreign class, a special method as callback)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")  # a pickle is not UTF-8: UnicodeDecodeError, a ValueError
    raw = json.loads(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise ValueError("not a request")
    request = _decode(raw)
    cls_path = request.get("_class")
    if cls_path is not None:
        try:
            cls = load_object(str(cls_path))
        except (ImportError, NameError, ValueError, AttributeError):
            raise ValueError(f"unknown request class {cls_path!r}") from None
        if not (isinstance(cls, type) and issubclass(cls, Request)):
            raise ValueError(f"{cls_path!r} is not a request class")
    for name in ("callback", "errback"):
        method = request.get(name)
        if method is not None and not (isinstance(method, str) and method.isidentifier()
                                       and not method.startswith("__")):
            raise ValueError(f"{name} {method!r} is not a spider method name")
    return request


__all__ = ["dumps", "loads"]
