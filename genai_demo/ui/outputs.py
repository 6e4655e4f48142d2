"""Files the app hands to Gradio: each request writes its own PNG, atomically.

Why not return a PIL image: Gradio caches a PIL output by writing it non-atomically to a path
named after its bytes, so two concurrent requests for the same seed race on one file and one
download breaks (see shared/PITFALLS.md). A file path output is copied with a temp file and a
rename instead, which is safe however many requests produce the same bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from PIL import Image

from genai_demo.images import save_gif, save_png
from genai_demo.io_utils import atomic_write

# Gradio copies a returned file into its cache before replying, so ours can go soon after: files
# older than this go, and beyond MAX_FILES the oldest go first, so a burst of requests on a
# long-running server cannot fill the disk (a 64-image grid is ~50 KB; 512 of them ~25 MB).
_MAX_AGE_SECONDS = 600
MAX_FILES = 512


def file_stem(name: str) -> str:
    """A model name as one file-name part: "dcgan-x/best" -> "dcgan-x-best". A "/" would make the
    name a path into a folder that does not exist (FileNotFoundError), ".." one outside the folder."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-")[:80] or "output"


class OutputFiles:
    def __init__(self, folder: str | Path | None = None, max_files: int = MAX_FILES):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="genai-demo-outputs-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_files = max_files

    def new_path(self, stem: str, suffix: str) -> str:
        """A fresh, unique file name in the output folder (old files are pruned first); `stem` is
        usually a model name, which may hold "/" ("<run>/best", "hub:owner/name"): see file_stem."""
        self._prune()
        descriptor, name = tempfile.mkstemp(dir=self.folder, prefix=f"{file_stem(stem)}-", suffix=suffix)
        os.close(descriptor)
        return name

    def save_png(self, image: Image.Image, stem: str, text_metadata: dict[str, str]) -> str:
        return str(save_png(image, self.new_path(stem, ".png"), text_metadata))

    def copy(self, source: str | Path, stem: str) -> str:
        """A copy of a file from a model folder (a run's sample grid), which the page may then show:
        Gradio serves this folder only, not the model folders with their weights and training state."""
        path = self.new_path(stem, Path(source).suffix)
        with atomic_write(path) as handle:
            handle.write(Path(source).read_bytes())
        return path

    def save_gif(self, frames: list[Image.Image], stem: str) -> str:
        return str(save_gif(frames, self.new_path(stem, ".gif")))

    def _prune(self) -> None:
        """Files older than the age limit go, then the oldest beyond `max_files - 1` (room for the new one)."""
        cutoff = time.time_ns() - _MAX_AGE_SECONDS * 10**9
        kept = []
        for path in self.folder.iterdir():
            try:
                modified = path.stat().st_mtime_ns
                if modified < cutoff:
                    path.unlink()
                else:
                    kept.append((modified, path))
            except FileNotFoundError:
                pass  # another request pruned it first
        kept.sort()
        for _, path in kept[:max(0, len(kept) - (self.max_files - 1))]:
            path.unlink(missing_ok=True)
