"""Text corpora for the language models: offline defaults first, Hub datasets when reachable.

- `python-code`: the standard-library sources of the running Python, present on every machine.
- `fortunes`, `tang-poems`, `song-ci`: Debian's `fortunes` / `fortunes-zh` packages when installed.
- a user's UTF-8 `.txt` file (a path), with clear errors for other encodings, binary or empty files.
- `karpathy/tiny_shakespeare` style Hub datasets by id (`hub:owner/name`), from the Hub or its cache.

The last 5% of a corpus (by characters, whole) is the validation text: bits per character are
measured on text the model never trained on.
"""

from __future__ import annotations

import os
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import snapshot_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

from genai_demo.errors import DatasetError

VALIDATION_FRACTION = 0.05
MAX_USER_FILE_BYTES = 50 * 1024**2
PYTHON_CODE_CHARS = 3_000_000  # a deterministic ~3 MB slice of the standard library
FORTUNES_DIR = Path(os.environ.get("GENAI_DEMO_FORTUNES_DIR", "/usr/share/games/fortunes"))
# corpus name -> (files under FORTUNES_DIR, Debian package)
DEBIAN_CORPORA = {
    "fortunes": (("fortunes", "literature", "riddles", "wisdom", "science", "people", "humorists",
                  "computers", "education", "linux", "work", "politics", "songs-poems"), "fortunes"),
    "tang-poems": (("tang300",), "fortunes-zh"),
    "song-ci": (("song100",), "fortunes-zh"),
}
TEXT_CORPORA = ("python-code", *DEBIAN_CORPORA)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # fortunes-zh colours its titles


@dataclass
class TextCorpus:
    name: str
    text: str
    source: str  # where it came from, for cards and the UI

    def split(self) -> tuple[str, str]:
        """(training text, validation text): the last VALIDATION_FRACTION of the characters."""
        cut = int(len(self.text) * (1 - VALIDATION_FRACTION))
        return self.text[:cut], self.text[cut:]


def load_python_code(max_chars: int = PYTHON_CODE_CHARS) -> TextCorpus:
    """Standard-library modules in sorted path order (tests and site-packages left out)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts, total = [], 0
    for path in sorted(stdlib.rglob("*.py")):
        relative = path.relative_to(stdlib).parts
        if any(part in ("site-packages", "test", "tests", "idle_test", "lib2to3") for part in relative):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(text)
        total += len(text)
        if total >= max_chars:
            break
    if not parts:
        raise DatasetError(f"no Python sources found under {stdlib}")
    text = "\n".join(parts)[:max_chars]
    return TextCorpus("python-code", text, f"Python {sysconfig.get_python_version()} standard library ({len(text):,} chars)")


def _read_fortune_file(path: Path) -> list[str]:
    """A fortune file: entries separated by lines holding only '%' (terminal colour codes removed)."""
    raw = _ANSI_ESCAPE.sub("", path.read_bytes().decode("utf-8", errors="replace"))
    return [entry.strip("\n") for entry in raw.split("\n%\n") if entry.strip()]


def load_debian_corpus(name: str) -> TextCorpus:
    files, package = DEBIAN_CORPORA[name]
    entries = []
    for relative in files:
        path = FORTUNES_DIR / relative
        if path.is_file():
            entries.extend(_read_fortune_file(path))
    if not entries:
        raise DatasetError(f"{name} needs Debian's {package} package: apt-get install {package}")
    text = "\n\n".join(entries) + "\n"
    return TextCorpus(name, text, f"Debian {package} ({len(entries):,} entries, {len(text):,} chars)")


def load_text_file(path: str | Path, max_bytes: int = MAX_USER_FILE_BYTES) -> TextCorpus:
    """A user's UTF-8 text file."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} is not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DatasetError(f"{path.name} is {size / 1024**2:.1f} MB: the limit is {max_bytes / 1024**2:.0f} MB")
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise DatasetError(f"{path.name} looks binary (it has NUL bytes): give a UTF-8 .txt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{path.name} is not UTF-8 (byte {error.start} cannot be decoded): save it as UTF-8 and try again"
        ) from None
    if len(text.strip()) < 100:
        raise DatasetError(f"{path.name} is empty or too short ({len(text.strip())} characters; need 100 or more)")
    distinct = len(set(text))
    if distinct < 3:  # e.g. one character repeated: nothing to learn, and a vocabulary too small to sample
        raise DatasetError(
            f"{path.name} has only {distinct} distinct character{'s' if distinct > 1 else ''}: "
            "a text model can learn nothing from it (need at least 3)"
        )
    return TextCorpus(path.stem, text, f"{path.name} ({len(text):,} chars)")


def load_hub_text(repo_id: str) -> TextCorpus:
    """The text of a small Hub text dataset (all its .txt files, or the `text` column of its parquet)."""

    try:
        folder = Path(snapshot_download(repo_id, repo_type="dataset", allow_patterns=["*.txt", "*.parquet"],
                                        etag_timeout=10))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as error:
        raise DatasetError(f"cannot get the dataset {repo_id} from the Hub or its cache ({type(error).__name__})") from None
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(folder.rglob("*.txt"))]
    if not texts:
        import pyarrow.parquet as pq  # pyarrow is slow to import: loaded only when needed

        for path in sorted(folder.rglob("*.parquet")):
            table = pq.read_table(path)
            if "text" in table.column_names:
                texts.append("\n".join(str(value) for value in table.column("text").to_pylist()))
    text = "\n".join(texts)
    if len(text.strip()) < 100:
        raise DatasetError(f"{repo_id} has no .txt files or parquet `text` column with enough text")
    return TextCorpus(repo_id, text, f"Hub dataset {repo_id} ({len(text):,} chars)")


def load_text_corpus(name: str) -> TextCorpus:
    """A named corpus, `hub:owner/name`, or a path to a .txt file."""
    if name == "python-code":
        return load_python_code()
    if name in DEBIAN_CORPORA:
        return load_debian_corpus(name)
    if name.startswith("hub:"):
        return load_hub_text(name[4:])
    if Path(name).suffix.lower() == ".txt" or Path(name).is_file():
        return load_text_file(name)
    raise DatasetError(
        f"unknown text corpus {name!r}: choose one of {', '.join(TEXT_CORPORA)}, hub:owner/name, or a .txt file"
    )
