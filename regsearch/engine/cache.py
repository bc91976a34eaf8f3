"""A thread-safe LRU cache with a bound on the total size of its values, which no caller
can push past: values larger than the whole budget are returned but not kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

T = TypeVar("T")


class BoundedCache:
    """LRU of `key -> value`, each value with a size (bytes, entries …) counted against
    `budget`; `drop(prefix)` forgets every key whose first element is `prefix`."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def get(self, key: Hashable) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget and self._items:
                _k, (_v, n) = self._items.popitem(last=False)
                self.used -= n

    def drop(self, prefix: Hashable) -> None:
        with self._lock:
            for key in [k for k in self._items if isinstance(k, tuple) and k[0] == prefix]:
                self.used -= self._items.pop(key)[1]

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._items)


def shared_value(
    values: dict[str, Any], lock: AbstractContextManager[Any], key: str, build: Callable[[], T]
) -> T:
    """`values[key]`, built once under `lock` by `build()` (a generation's derived values:
    read without the lock once built, so the common case costs one dict lookup)."""
    try:
        return values[key]  # type: ignore[no-any-return]
    except KeyError:
        pass
    with lock:
        if key not in values:
            values[key] = build()
        return values[key]  # type: ignore[no-any-return]
