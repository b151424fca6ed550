"""Formula cells made inert in every CSV we write or serve (OWASP « CSV injection »).

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (`=HYPERLINK("http://…")`); titles from born-digital PDFs and legacy text carry whatever
their author typed. In CSV such a cell gets a leading `'`, which spreadsheets show as text; a
plain number (`-0.5`, a skew angle) is left as it is. The raw value stays in SQLite and Parquet.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """`value` as a CSV cell a spreadsheet will not run: text starting like a formula gets a
    leading `'`; anything else (numbers, None, other text) is returned as it is."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text column's formula-like cells neutralised."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_string_dtype(series.dtype) or series.empty:
            continue
        risky = series.str.startswith(TRIGGERS).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out = out.copy() if out is frame else out
            values = series.astype(object).to_numpy(copy=True)
            values[risky] = [neutralise(v) for v in values[risky]]
            out[column] = pd.array(values, dtype=series.dtype)
    return out


# --------------------------------------------------------------------------- served CSV (ASGI)

# One field of a CSV as Python's csv module writes it: quoted (quotes doubled) or bare, then
# what ends it. A field the buffer does not hold to its end yet is not matched.
_FIELD = re.compile(rb'(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r\n|\n)', re.DOTALL)


class CsvRewriter:
    """Neutralises the cells of a CSV that arrives in chunks (Datasette streams its exports)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes, last: bool = False) -> bytes:
        data = self.pending + chunk
        if last and data and not data.endswith((b"\n", b"\r")):
            data += b"\r\n"  # so the last field is matched; stripped again below
            added = True
        else:
            added = False
        out = bytearray()
        pos = 0
        while pos < len(data):
            m = _FIELD.match(data, pos)
            if m is None:
                break
            quoted, bare, end = m.group(1), m.group(2), m.group(3)
            text = (quoted.replace(b'""', b'"') if quoted is not None else bare).decode(
                "utf-8", errors="surrogateescape")
            safe = neutralise(text)
            if safe is text:
                out += data[pos:m.end()]
            else:
                cell = safe.encode("utf-8", errors="surrogateescape")
                needs_quotes = quoted is not None or any(c in cell for c in b',"\r\n')
                out += (b'"' + cell.replace(b'"', b'""') + b'"' if needs_quotes else cell) + end
            pos = m.end()
        self.pending = data[pos:]
        if last:
            out += self.pending
            self.pending = b""
            if added and out.endswith(b"\r\n"):
                del out[-2:]
        return bytes(out)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def csv_guard(app: App) -> App:
    """ASGI middleware: the body of every `.csv` response of `app` goes through CsvRewriter."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or not str(scope.get("path", "")).endswith(".csv"):
            await app(scope, receive, send)
            return
        rewriter: CsvRewriter | None = None

        async def rewrite(message: Message) -> None:
            nonlocal rewriter
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                kind = headers.get(b"content-type", b"")
                if message.get("status") == 200 and kind.startswith((b"text/plain", b"text/csv")):
                    rewriter = CsvRewriter()
                    message = {**message, "headers": [(k, v) for k, v in message["headers"]
                                                      if k.lower() != b"content-length"]}
            elif message["type"] == "http.response.body" and rewriter is not None:
                last = not message.get("more_body", False)
                message = {**message, "body": rewriter.feed(message.get("body", b""), last)}
            await send(message)

        await app(scope, receive, rewrite)

    return guarded
