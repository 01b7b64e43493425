"""Read the text files given to `quoteattr predict`: files, directories of `*.txt` files, or `-` for stdin.

Every bad input becomes an `InputFileError` in the stream of results (never an exception), with a
one-line message `SOURCE: problem`, so the caller can report it and go on with the others.
`check_inputs` lists every input and catches the common problems (missing, unreadable, binary,
empty, too large) cheaply, so that `quoteattr predict` can report them before loading a model.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from quoteattr.errors import InputFileError

STDIN = "-"
STDIN_SOURCE = "<stdin>"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIX = ".txt"
_SAMPLE_CHARS = 65536
_MAX_CONTROL_SHARE = 0.1
# Control characters that do not occur in text (tab, newlines, form feed and vertical tab do).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NON_ASCII_DECODED = re.compile(r"[^\x00-\x7f\ufffd]")


@dataclass(frozen=True)
class InputText:
    """One input text: `source` is the path as given (or `<stdin>`), `text` the decoded content,
    `id` the record's id when it comes from a corpus file (`quoteattr.tools.corpus`)."""

    source: str
    text: str
    id: str | None = None


class _Skip(Exception):
    """Why one input cannot be used (the message names the problem, not the file)."""


def check_inputs(
    paths: Sequence[str], recursive: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[str | InputFileError]:
    """Every input in order, or an `InputFileError` for one that is bad.

    A directory stands for its `*.txt` files in name order (with `recursive`, those of its
    subdirectories too, following symbolic links but never into a loop). A file is opened and its
    first bytes looked at, so a missing, unreadable, binary, empty or oversized file is caught
    here; `-` (stdin) is kept as it is. Reading a kept path with `read_input` can still fail (an
    encoding problem further in), and then says so.
    """
    checked: list[str | InputFileError] = []
    for path in paths:
        if path == STDIN:
            checked.append(path)
        elif _is_dir(path):
            found = [
                item if isinstance(item, InputFileError) else _check_file(item, max_bytes)
                for item in _walk(path, recursive, (os.path.realpath(path),))
            ]
            checked.extend(found or [_empty_directory(path, recursive)])
        else:
            checked.append(_check_file(path, max_bytes))
    return checked


def read_input(
    source: str, stdin: TextIO | BinaryIO | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> InputText | InputFileError:
    """Read one input that `check_inputs` kept: a file path, or `-` for `stdin` (default: sys.stdin)."""
    if source == STDIN:
        return _read_stream(stdin if stdin is not None else sys.stdin, max_bytes)
    return _read_file(source, max_bytes)


def _check_file(path: str, max_bytes: int) -> str | InputFileError:
    mode = _mode(path)
    if mode is not None and not stat.S_ISREG(mode):
        # a pipe or device (`<(command)`): opening may wait for a writer and reading would use up
        # its bytes, so it is left for read_input, which reads it once
        return path
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _Skip(f"file too large ({info.st_size} bytes > limit of {max_bytes})")
            sample = file.read(_SAMPLE_CHARS)
    except OSError as error:
        return _error(path, _os_problem(error))
    except _Skip as skip:
        return _error(path, str(skip))
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return path
    if b"\x00" in sample:
        return _error(path, "binary file (NUL bytes)")
    if len(sample) < _SAMPLE_CHARS and not sample.removeprefix(codecs.BOM_UTF8).strip():
        return _error(path, "empty file")
    text = sample.decode("utf-8", errors="replace")
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        return _error(path, "binary file (control characters)")
    return path


def _empty_directory(top: str, recursive: bool) -> InputFileError:
    return _error(top, f"directory holds no {TEXT_SUFFIX} file" + (" (searched recursively)" if recursive else ""))


def _error(source: str, problem: str) -> InputFileError:
    return InputFileError(f"{source}: {problem}")


def _mode(path: str) -> int | None:
    """The file mode `path` leads to (following links), or None when it cannot be looked up."""
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _is_dir(path: str) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def _walk(directory: str, recursive: bool, ancestors: tuple[str, ...]) -> Iterator[str | InputFileError]:
    """The `*.txt` paths under `directory` in name order; `ancestors` are the real paths entered so far.

    A `*.txt` entry that cannot be looked up (a broken or looping link) is kept so that reading it
    reports the problem; other special files (pipes, devices) are left out.
    """
    try:
        names = sorted(os.listdir(directory))
    except OSError as error:
        yield _error(directory, _os_problem(error))
        return
    for name in names:
        path = os.path.join(directory, name)
        mode = _mode(path)
        if mode is not None and stat.S_ISDIR(mode):
            if recursive:
                yield from _walk_into(path, ancestors)
        elif name.endswith(TEXT_SUFFIX) and (mode is None or stat.S_ISREG(mode)):
            yield path


def _walk_into(path: str, ancestors: tuple[str, ...]) -> Iterator[str | InputFileError]:
    """Walk the subdirectory `path`, unless a link leads it back to a directory being walked."""
    real = os.path.realpath(path)
    if real in ancestors:
        yield _error(path, f"symlink loop back to {real}")
    else:
        yield from _walk(path, True, (*ancestors, real))


def _read_file(path: str, max_bytes: int) -> InputText | InputFileError:
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _Skip(f"file too large ({info.st_size} bytes > limit of {max_bytes})")
            return InputText(path, _decode(_read_limited(file, max_bytes)))
    except OSError as error:
        return _error(path, _os_problem(error))
    except _Skip as skip:
        return _error(path, str(skip))


def _read_stream(stream: TextIO | BinaryIO, max_bytes: int) -> InputText | InputFileError:
    binary = getattr(stream, "buffer", stream)
    try:
        return InputText(STDIN_SOURCE, _decode(_read_limited(binary, max_bytes)))
    except OSError as error:
        return _error(STDIN_SOURCE, _os_problem(error))
    except _Skip as skip:
        return _error(STDIN_SOURCE, str(skip))


def _read_limited(stream: TextIO | BinaryIO, max_bytes: int) -> bytes | str:
    """Read the whole stream, refusing one longer than `max_bytes` (a text stream counts characters)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _Skip(f"input too large (over the limit of {max_bytes} bytes)")
    return data


def _os_problem(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read ({error.strerror or error})"


def _decode(data: bytes | str) -> str:
    """Decode a file's bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or else cp1252 when it reads as text."""
    if isinstance(data, str):
        return _check_text(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_text(data.decode("utf-16"))
    if b"\x00" in data:
        raise _Skip("binary file (NUL bytes)")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return _check_text(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        legacy = _cp1252(body)
        if legacy is None:
            offset = error.start + len(data) - len(body)
            raise _Skip(f"not UTF-8 text (invalid byte 0x{data[offset]:02x} at byte offset {offset})") from None
        return _check_text(legacy)


def _cp1252(data: bytes) -> str | None:
    """`data` read as cp1252, unless it does not decode or holds valid UTF-8 sequences (a damaged UTF-8 file)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    mixed = _NON_ASCII_DECODED.search(data.decode("utf-8", errors="replace"))
    return None if mixed else text


def _check_text(text: str) -> str:
    """`text` itself, if it is non-blank text and not mostly control characters."""
    sample = text[:_SAMPLE_CHARS]
    if len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
        raise _Skip("binary file (control characters)")
    if not text.strip():
        raise _Skip("empty file")
    return text
