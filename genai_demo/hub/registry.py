"""The local registry: model folders shipped in `checkpoints/` and the user's own models."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from genai_demo.errors import InvalidInputError, ModelLoadError
from genai_demo.hub.model_folder import read_model_config

SHIPPED_CHECKPOINTS = Path(__file__).resolve().parents[2] / "checkpoints"


def user_models_dir() -> Path:
    """Where models trained in the app go: `$GENAI_DEMO_HOME/models` (default ~/.cache/genai-demo)."""
    home = os.environ.get("GENAI_DEMO_HOME") or Path.home() / ".cache" / "genai-demo"
    return Path(home) / "models"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    model_type: str
    origin: str  # "shipped" or "user"


def discover_models(roots: list[Path] | None = None) -> list[ModelEntry]:
    """Every loadable model folder directly under the roots, sorted by name.

    Folders whose config is broken are skipped here (the list stays usable); loading one
    by path still reports exactly what is wrong with it.
    """
    if roots is None:
        roots = [SHIPPED_CHECKPOINTS, user_models_dir()]
    entries: dict[str, ModelEntry] = {}
    for root_index, root in enumerate(roots):
        if not Path(root).is_dir():
            continue
        origin = "shipped" if root_index == 0 else "user"
        for folder in sorted(Path(root).iterdir()):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            try:
                model_type, _ = read_model_config(folder)
            except ModelLoadError:
                continue
            name = folder.name if folder.name not in entries else f"{origin}/{folder.name}"
            entries[name] = ModelEntry(name=name, path=folder, model_type=model_type, origin=origin)
            # A run trained with --eval-every keeps its best checkpoint too: "<run>/best" beside the latest.
            best = folder / "best"
            if best.is_dir():
                try:
                    best_type, _ = read_model_config(best)
                except ModelLoadError:
                    continue
                entries[f"{name}/best"] = ModelEntry(name=f"{name}/best", path=best, model_type=best_type, origin=origin)
    return sorted(entries.values(), key=lambda entry: entry.name)


def find_model(name: str, entries: list[ModelEntry]) -> ModelEntry:
    """The entry called `name`, or a clear error listing the names that exist."""
    for entry in entries:
        if entry.name == name:
            return entry
    known = ", ".join(entry.name for entry in entries) or "none (train one first)"
    raise InvalidInputError(f"no model called {name!r}; available: {known}")
