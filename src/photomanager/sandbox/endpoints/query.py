"""A query string as DeviantArt reads it: one value per key, or every value of a repeated key.

Most parameters are single (`limit=10`); the last one wins when a key repeats.
A few are lists written PHP-style, `deviationids[]=A&deviationids[]=B`, and
need every value (`getall`). The adapters build a `QueryParams` from the raw
query string; `Sandbox.handle` still accepts any `Mapping[str, str]` (tests
call it with plain dicts), which `QueryParams.of` turns into one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qsl


class QueryParams(Mapping[str, str]):
    """Read-only query parameters: `query[key]` is the last value, `getall(key)` all of them."""

    __slots__ = ("_last", "_pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = tuple(pairs)
        self._last = dict(self._pairs)

    @classmethod
    def parse(cls, raw: str) -> QueryParams:
        """From a raw query string (`a=1&b=2&b=3`, percent-escapes decoded, blanks kept)."""
        return cls(parse_qsl(raw, keep_blank_values=True))

    @classmethod
    def of(cls, query: Mapping[str, str]) -> QueryParams:
        """`query` itself when it is one already, else its (single-valued) items."""
        if isinstance(query, QueryParams):
            return query
        return cls(query.items())

    def getall(self, key: str) -> list[str]:
        """Every value of `key`, in order (empty when absent)."""
        return [value for name, value in self._pairs if name == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (key, value) pair, repeats included, in order."""
        return list(self._pairs)

    def __getitem__(self, key: str) -> str:
        return self._last[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def __repr__(self) -> str:
        return f"QueryParams({list(self._pairs)!r})"
