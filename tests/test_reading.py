"""Reading the input files of `quoteattr predict`: files, directories, stdin and every kind of bad input."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from quoteattr.errors import InputFileError
from quoteattr.tools import reading
from quoteattr.tools.predict_files import read_sources
from quoteattr.tools.reading import DEFAULT_MAX_BYTES, InputText, check_inputs, read_input


def read_all(
    *paths: str | Path, recursive: bool = False, stdin: io.IOBase | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[InputText | InputFileError]:
    """The inputs as `quoteattr predict` reads them: every one checked first, then those that pass read."""
    checked = check_inputs([str(path) for path in paths], recursive=recursive, max_bytes=max_bytes)
    return [
        read_input(item, stdin=stdin, max_bytes=max_bytes) if isinstance(item, str) else item  # type: ignore[arg-type]
        for item in checked
    ]


def only_error(*paths: str | Path, **options: object) -> str:
    [result] = read_all(*paths, **options)  # type: ignore[arg-type]
    assert isinstance(result, InputFileError), result
    return str(result)


def test_reads_a_utf8_file_exactly(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("“Yes,” she said 😀.\r\nNext line\n".encode())
    assert read_all(path) == [InputText(str(path), "“Yes,” she said 😀.\r\nNext line\n")]


def test_strips_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b'\xef\xbb\xbf"Hi," he said.')
    assert read_all(path) == [InputText(str(path), '"Hi," he said.')]


def test_decodes_cp1252_when_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(b"\x93Caf\xe9 prices rose,\x94 he said \x96 twice.")
    assert read_all(path) == [InputText(str(path), "“Café prices rose,” he said – twice.")]


def test_decodes_utf16_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("“Yes,” she said.".encode("utf-16"))
    assert read_all(path) == [InputText(str(path), "“Yes,” she said.")]


def test_damaged_utf8_is_not_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Señor Pérez said. ".encode() + b"Caf\xe9")  # would decode as cp1252, to mojibake
    assert only_error(path) == f"{path}: not UTF-8 text (invalid byte 0xe9 at byte offset 23)"


def test_undecodable_bytes_name_their_offset_counting_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xef\xbb\xbfab\x81c")  # 0x81 is undefined in cp1252
    assert only_error(path) == f"{path}: not UTF-8 text (invalid byte 0x81 at byte offset 5)"


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert only_error(path) == f"{path}: no such file or directory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text")
    path.chmod(0)
    assert only_error(path) == f"{path}: permission denied"


def test_permission_error_is_reported_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str, mode: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(reading, "open", refuse, raising=False)
    assert only_error(tmp_path / "locked.txt") == f"{tmp_path / 'locked.txt'}: permission denied"


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "notes.bin"
    path.write_bytes(b"PK\x03\x04\x00\x00text")
    assert only_error(path) == f"{path}: binary file (NUL bytes)"


def test_binary_file_of_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(1, 32)) * 4 + b"some words")
    assert only_error(path) == f"{path}: binary file (control characters)"


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert only_error(path) == f"{path}: empty file"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 101)
    assert only_error(path, max_bytes=100) == f"{path}: file too large (101 bytes > limit of 100)"
    assert read_all(path, max_bytes=101) == [InputText(str(path), "x" * 101)]


def test_symlink_to_itself(tmp_path: Path) -> None:
    path = tmp_path / "loop.txt"
    os.symlink(path, path)
    assert only_error(path) == f"{path}: symlink loop"


def test_directory_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("alpha")
    os.symlink(tmp_path, tmp_path / "sub" / "back")
    results = read_all(tmp_path, recursive=True)
    assert [str(result) if isinstance(result, InputFileError) else result.text for result in results] == [
        "alpha",
        f"{tmp_path / 'sub' / 'back'}: symlink loop back to {os.path.realpath(tmp_path)}",
    ]


def test_directory_reads_its_txt_files_in_name_order(tmp_path: Path) -> None:
    for name, text in [("b.txt", "bee"), ("a.txt", "ay"), ("c.md", "not read")]:
        (tmp_path / name).write_text(text)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("dee")
    assert read_all(tmp_path) == [InputText(str(tmp_path / "a.txt"), "ay"), InputText(str(tmp_path / "b.txt"), "bee")]
    assert [result.source for result in read_all(tmp_path, recursive=True)] == [  # type: ignore[union-attr]
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.txt"),
        str(tmp_path / "sub" / "d.txt"),
    ]


def test_directory_without_txt_files(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("text")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("text")
    assert only_error(tmp_path) == f"{tmp_path}: directory holds no .txt file"
    assert [result.text for result in read_all(tmp_path, recursive=True)] == ["text"]  # type: ignore[union-attr]


def test_directory_named_like_a_text_file_is_not_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert only_error(tmp_path) == f"{tmp_path}: directory holds no .txt file"
    assert only_error(tmp_path / "folder.txt") == f"{tmp_path / 'folder.txt'}: directory holds no .txt file"


def test_broken_link_in_a_directory_is_reported(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone", tmp_path / "dangling.txt")
    assert only_error(tmp_path) == f"{tmp_path / 'dangling.txt'}: no such file or directory"


def test_errors_do_not_stop_the_other_inputs(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    results = read_all(tmp_path / "missing.txt", good)
    assert isinstance(results[0], InputFileError)
    assert results[1] == InputText(str(good), "fine")


def test_inputs_are_read_lazily(tmp_path: Path) -> None:
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_text("one")
    results = read_sources([str(first), str(second)])
    assert next(results) == InputText(str(first), "one")
    second.write_text("two")  # created after the first result was taken
    assert next(results) == InputText(str(second), "two")


def test_stdin_bytes_and_text() -> None:
    binary = io.BytesIO("\ufeff“Hi,” she said.\r\n".encode())
    assert read_all("-", stdin=binary) == [InputText("<stdin>", "“Hi,” she said.\r\n")]
    wrapped = io.TextIOWrapper(io.BytesIO(b"\x93Hi\x94"), encoding="ascii")
    assert read_all("-", stdin=wrapped) == [InputText("<stdin>", "“Hi”")]  # read through .buffer
    assert read_all("-", stdin=io.StringIO("plain text")) == [InputText("<stdin>", "plain text")]


def test_stdin_problems() -> None:
    assert only_error("-", stdin=io.BytesIO(b"  \n")) == "<stdin>: empty file"
    assert only_error("-", stdin=io.BytesIO(b"x" * 11), max_bytes=10) == (
        "<stdin>: input too large (over the limit of 10 bytes)"
    )


def test_check_inputs_catches_bad_files_without_reading_them_whole(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text('"Yes," she said.', encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b" \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "wide.txt").write_bytes("“Yes,” she said.".encode("utf-16"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("Deep.", encoding="utf-8")
    checked = reading.check_inputs([str(tmp_path), str(tmp_path / "missing.txt"), "-"], recursive=True)
    assert [str(item) for item in checked] == [
        f"{tmp_path / 'binary.txt'}: binary file (NUL bytes)",
        f"{tmp_path / 'empty.txt'}: empty file",
        str(tmp_path / "good.txt"),
        str(tmp_path / "sub" / "deep.txt"),
        str(tmp_path / "wide.txt"),
        f"{tmp_path / 'missing.txt'}: no such file or directory",
        "-",
    ]
    assert reading.read_input(str(tmp_path / "wide.txt")) == InputText(str(tmp_path / "wide.txt"), "“Yes,” she said.")
    assert reading.read_input("-", stdin=io.BytesIO(b"From stdin.")) == InputText("<stdin>", "From stdin.")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_check_inputs_leaves_a_pipe_unopened(tmp_path: Path) -> None:
    """Opening a pipe waits for a writer, and reading it uses up its bytes: read_input reads it, once."""
    import threading

    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    checked: list[object] = []
    worker = threading.Thread(target=lambda: checked.extend(reading.check_inputs([str(pipe)])), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert checked == [str(pipe)]
    writer = threading.Thread(target=lambda: pipe.write_text('"Yes," she said.', encoding="utf-8"), daemon=True)
    writer.start()
    assert reading.read_input(str(pipe)) == InputText(str(pipe), '"Yes," she said.')
    writer.join(timeout=5)
