"""Quality figures of model folders: `python -m genai_demo eval` and the Evaluate tab's comparisons.

How a folder is measured comes from its family's `metric` (genai_demo.families); the metrics
themselves live in `genai_demo.metrics`.
"""

from __future__ import annotations

import datetime
import functools
import json
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import torch
from PIL import Image

from genai_demo.data import load_image_dataset
from genai_demo.data.text import TEXT_CORPORA, load_text_corpus
from genai_demo.errors import InvalidInputError
from genai_demo.families import (
    BITS_PER_CHAR,
    NEGATIVE_ELBO,
    TEST_ACCURACY,
    family_of_folder,
    image_generator_types,
    model_types,
)
from genai_demo.folders.model_folder import read_model_config
from genai_demo.folders.registry import (
    EVAL_RESULTS_NAME,
    count_parameters,
    model_files,
    read_eval_results,
)
from genai_demo.folders.model_folder import weights_path
from genai_demo.generation import generate_images, load_cached_model
from genai_demo.images import make_grid
from genai_demo.io_utils import atomic_write_json, atomic_write_text
from genai_demo.metrics.accuracy import classification_accuracy
from genai_demo.metrics.bits_per_char import (
    bigram_bits_per_char,
    validation_bits_per_char,
)
from genai_demo.metrics.quality import (
    ImageQualityProbe,
    check_is_classifier,
    shipped_classifier,
)
from genai_demo.models.vae import negative_elbo_terms
from genai_demo.text_generation import SamplingSettings, fit_prompt, stream_text

# Bump when a figure's definition changes (classifier, sample count rules, bits-per-char scoring):
# cached results of another version are measured again instead of compared.
EVAL_METRIC_VERSION = 1


DEFAULT_CORPUS = TEXT_CORPORA[0]  # the one every machine has
# Figures that are paths on this machine: printed, never cached.
FOLDER_FIGURES = {"model": "the folder measured", "classifier": "the frozen classifier's folder"}


def save_eval_results(model_dir: str | Path, results: dict) -> Path:
    """Cache the figures in the model folder (`eval_results.json`), where the Hub tab and the
    model card read them; paths are dropped, as they mean nothing on another machine."""


    path = Path(model_dir) / EVAL_RESULTS_NAME
    cached = {name: value for name, value in results.items() if name not in FOLDER_FIGURES}
    cached["metric_version"] = EVAL_METRIC_VERSION
    cached["evaluated_on"] = datetime.date.today().isoformat()
    atomic_write_json(path, cached)
    write_card_evaluation(Path(model_dir), cached)
    return path


CARD_SECTION_START = "<!-- eval-results: written by `python -m genai_demo eval`; edits here are replaced -->"
CARD_SECTION_END = "<!-- /eval-results -->"
FIGURE_LABELS = {
    "classifier_fid": "classifier-FID", "real_vs_real_floor": "real-vs-real floor", "fid_over_floor": "FID / floor",
    "class_accuracy": "class accuracy", "copy_ratio": "copy check (nearest-training-image distance, generated / held-out)",
    "test_accuracy": "test accuracy", "negative_elbo_nats": "negative ELBO (nats)",
    "reconstruction_nats": "reconstruction (nats)", "kl_nats": "KL (nats)", "bits_per_char": "validation bits/char",
    "bigram_bits_per_char": "bigram baseline bits/char", "parameters": "parameters",
    "validation_characters": "characters scored", "num_images": "images", "data": "data", "corpus": "corpus",
}


def card_evaluation_section(results: dict) -> str:
    """The model card's table of the cached figures, between markers so a new evaluation replaces it."""
    rows = [f"| {label} | {results[name]:,} |" if isinstance(results[name], int) else f"| {label} | {results[name]} |"
            for name, label in FIGURE_LABELS.items() if name in results]
    settings = ", ".join(f"{name} {value}" for name, value in results.get("settings", {}).items())
    return "\n".join([
        CARD_SECTION_START, "## Measured figures", "",
        f"Measured on {results.get('evaluated_on', '?')} (metric version {results.get('metric_version', '?')}"
        + (f"; {settings}" if settings else "") + "); `eval_results.json` holds the same figures.", "",
        "| figure | value |", "|---|---|", *rows, CARD_SECTION_END,
    ])


def write_card_evaluation(model_dir: Path, results: dict) -> None:
    """Put the figures into the folder's README.md (a model card), replacing an earlier evaluation's."""

    card = model_dir / "README.md"
    if not card.is_file():
        return
    text, section = card.read_text(encoding="utf-8"), card_evaluation_section(results)
    start, end = text.find(CARD_SECTION_START), text.find(CARD_SECTION_END)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(CARD_SECTION_END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    atomic_write_text(card, text)


def probe_figures(probe: ImageQualityProbe, measured: dict) -> dict:
    """The cached/printed figures of one probe measurement, rounded as `eval` reports them."""
    figures = {
        "num_images": probe.count,
        "classifier_fid": round(measured["classifier_fid"], 3),
        "real_vs_real_floor": round(probe.floor, 3),
        "fid_over_floor": round(measured["classifier_fid"] / max(probe.floor, 1e-12), 2),
    }
    if "class_accuracy" in measured:
        figures["class_accuracy"] = round(measured["class_accuracy"], 4)
    if "copy_ratio" in measured:
        figures["copy_ratio"] = round(measured["copy_ratio"], 3)
    return figures


def evaluate_model_folder(
    model_dir: str | Path,
    classifier_dir: str | Path,
    num_samples: int,
    seed: int,
    device: torch.device,
    dataset_name: str = "mnist",
    data_source: str = "auto",
    corpus_name: str | None = None,
    reference: str = "test",
) -> dict[str, float | int | str]:
    """Classifier-FID with its real-vs-real floor for generators, test accuracy for classifiers,
    held-out bits per character (beside a bigram baseline) for text models.

    Both FIDs use the same number of images and the same real images, so they compare: the test
    split's, or with `reference="train"` every other training image (see `ImageQualityProbe`),
    which adds the copy check.
    """
    model_type, _ = read_model_config(model_dir)
    metric = family_of_folder(model_type).metric
    if metric == BITS_PER_CHAR:
        return evaluate_text_model(model_dir, corpus_name or DEFAULT_CORPUS, device)
    test_set = load_image_dataset(dataset_name, split="test", source=data_source)
    classifier = load_cached_model(classifier_dir, device)
    check_is_classifier(classifier, classifier_dir)
    if metric == TEST_ACCURACY:
        accuracy = classification_accuracy(load_cached_model(model_dir, device), test_set, device)
        return {"model": str(model_dir), "test_accuracy": round(accuracy, 4), "num_images": len(test_set)}
    if metric == NEGATIVE_ELBO:
        return {"model": str(model_dir), **vae_negative_elbo(load_cached_model(model_dir, device), test_set, seed, device)}
    train_set = load_image_dataset(dataset_name, split="train", source=data_source)
    probe = ImageQualityProbe(train_set, test_set, classifier, num_samples, seed, reference)
    figures = probe_figures(probe, probe.measure(load_cached_model(model_dir, device)))
    return {"model": str(model_dir), **figures, "data": probe.test_source, "classifier": str(classifier_dir)}


@torch.no_grad()
def vae_negative_elbo(model, test_set, seed: int, device: torch.device) -> dict[str, float | int | str]:
    """Held-out negative ELBO in nats per image (one posterior sample per image, fixed seed)."""
    images = test_set.to_training_tensor(device)
    noise = torch.randn(len(images), model.config.latent_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    reconstruction, kl = negative_elbo_terms(model, images, noise)
    return {
        "num_images": len(images),
        "negative_elbo_nats": round((reconstruction + kl).mean().item(), 2),
        "reconstruction_nats": round(reconstruction.mean().item(), 2),
        "kl_nats": round(kl.mean().item(), 2),
        "data": test_set.source,
    }


def evaluate_text_model(model_dir: str | Path, corpus_name: str, device: torch.device) -> dict[str, float | int | str]:
    """Validation bits per character on the corpus's held-out text, and a character bigram's."""

    corpus = load_text_corpus(corpus_name)
    train_text, validation_text = corpus.split()
    model = load_cached_model(model_dir, device)
    bits, characters = validation_bits_per_char(model, validation_text, device)
    return {
        "model": str(model_dir),
        "corpus": corpus.source,
        "validation_characters": characters,
        "bits_per_char": round(bits, 4),
        "bigram_bits_per_char": round(bigram_bits_per_char(train_text, validation_text[:characters + 1]), 4),
        "parameters": sum(parameter.numel() for parameter in model.parameters()),
    }


# -- side-by-side comparison (the Evaluate tab) ----------------------------------------------------

IMAGE_GENERATOR_TYPES = image_generator_types()
TEXT_MODEL_TYPES = model_types(metric=BITS_PER_CHAR)
SAMPLING_BENCH_COUNT = 64


def eval_settings(num_samples: int, seed: int, dataset: str, classifier_dir, corpus: str | None, results: dict,
                  reference: str = "test") -> dict:
    """What a cached figure was measured with: a later evaluation reuses it only with the same."""
    if "bits_per_char" in results:
        return {"corpus": corpus or DEFAULT_CORPUS}
    settings = {"num_samples": num_samples, "seed": seed, "dataset": dataset, "classifier": Path(classifier_dir).name}
    if reference != "test":  # figures against the test split keep the settings they were cached with
        settings["reference"] = reference
    return settings


def _cached_figures(model_dir: Path, settings: dict, keys: tuple[str, ...]) -> dict | None:
    """Figures cached by an earlier evaluation with the same settings and metric version, or None."""

    cached = read_eval_results(model_dir)
    if cached.get("metric_version") == EVAL_METRIC_VERSION and cached.get("settings") == settings and all(
        key in cached for key in keys
    ):
        return cached
    return None


def _cached_or_measured(model_dir: Path, settings: dict, keys: tuple[str, ...], read_only: tuple[Path, ...],
                        measure) -> tuple[dict, bool]:
    """(figures, whether they came from the cache): measured with `measure()` when the folder has none
    for these settings, then cached there unless the folder is read-only (shipped)."""
    figures = _cached_figures(model_dir, settings, keys)
    if figures is not None:
        return figures, True
    # A read-only (shipped) folder keeps other settings' figures in this process only.
    session_key = (*_folder_version(model_dir), json.dumps(settings, sort_keys=True))
    if session_key in _session_figures:
        return _session_figures[session_key], True
    figures = measure()
    if model_dir in read_only:
        _session_figures[session_key] = figures
    else:
        _cache_figures(model_dir, settings, figures)
    return figures, False


_session_figures: dict[tuple, dict] = {}  # (folder, weights version, settings) -> figures


def _folder_version(model_dir: Path) -> tuple[str, int | None]:
    """A model folder and the version of its weights: a folder trained again is measured again."""
    weights = weights_path(model_dir)
    return str(Path(model_dir).resolve()), weights.stat().st_mtime_ns if weights.is_file() else None


def _cache_figures(model_dir: Path, settings: dict, figures: dict) -> None:
    """Merge into eval_results.json (a VAE keeps its ELBO beside its FID); a read-only folder is skipped."""

    try:
        save_eval_results(model_dir, {**read_eval_results(model_dir), **figures, "settings": settings})
    except OSError:
        pass


# (folder, weights version, device, seed) -> (grid, seconds): a repeated comparison in this process
# shows the same grids and times at once instead of sampling again (a DDPM's 64 take ~10 s on a CPU).
_sample_runs: OrderedDict[tuple, tuple[Image.Image, float]] = OrderedDict()
_sample_runs_lock = threading.Lock()
_SAMPLE_RUNS_KEPT = 16

Progress = Callable[[int, int, str], None]  # (images done, images in all, what is being done now)


def about(seconds: float, upper_bound: bool = False) -> str:
    """A duration as a person reads an estimate: "under a second", "about 12 s", "up to 3 min"."""
    if seconds < 1:
        return "under a second"
    amount = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
    return f"up to {amount}" if upper_bound else f"about {amount}"


def _sample_run_key(model_dir: Path, seed: int, device: torch.device) -> tuple:
    return (*_folder_version(model_dir), str(device), seed)


def timed_sample_grid(model_dir: Path, seed: int, device: torch.device,
                      estimate: Callable[[float], None] | None = None) -> tuple[Image.Image, float, bool]:
    """64 samples of `seed` as a grid, and the seconds their generation took (after a 2-image warm-up),
    as the Images tab would draw them: (grid, seconds, whether remembered from an earlier comparison).
    `estimate` hears the seconds the 64 should take, from the warm-up, before they are drawn."""
    key = _sample_run_key(model_dir, seed, device)
    with _sample_runs_lock:
        if key in _sample_runs:
            _sample_runs.move_to_end(key)
            return (*_sample_runs[key], True)
    started = time.perf_counter()
    generate_images(model_dir, 2, seed, device)  # warm-up: lazy initialisation is not sampling time
    if estimate is not None:
        estimate((time.perf_counter() - started) / 2 * SAMPLING_BENCH_COUNT)
    started = time.perf_counter()
    images = generate_images(model_dir, SAMPLING_BENCH_COUNT, seed, device)
    seconds = time.perf_counter() - started
    grid = make_grid(images)
    with _sample_runs_lock:
        _sample_runs[key] = (grid, seconds)
        while len(_sample_runs) > _SAMPLE_RUNS_KEPT:
            _sample_runs.popitem(last=False)
    return grid, seconds, False


def sample_run_remembered(model_dir: Path, seed: int, device: torch.device) -> bool:
    with _sample_runs_lock:
        return _sample_run_key(model_dir, seed, device) in _sample_runs


def _load_of_type(model_dir: Path, device: torch.device, model_types: tuple[str, ...], kind: str):
    model = load_cached_model(model_dir, device)
    if model.model_type not in model_types:
        raise InvalidInputError(f"{Path(model_dir).name} is a {model.model_type}, not {kind}")
    return model


def compare_image_models(
    model_dirs: list[Path], num_samples: int, seed: int, device: torch.device, dataset_name: str = "mnist",
    data_source: str = "auto", classifier_dir: str | Path | None = None, read_only: tuple[Path, ...] = (),
    progress: Progress | None = None,
) -> list[dict]:
    """One row per model: classifier-FID against one shared real slice (so the rows compare), its
    floor, class accuracy for conditional models, parameters, size, 64-sample time, and the grid of
    those 64 samples (`sample_grid`). Figures come from the folder's cache when it was measured with
    these settings; grids and times from this process's memory when compared before. `progress` hears
    how many images are generated of how many this comparison needs."""

    classifier_dir = Path(classifier_dir or shipped_classifier(dataset_name))
    settings = eval_settings(num_samples, seed, dataset_name, classifier_dir, None, {})
    fid_keys = ("classifier_fid", "real_vs_real_floor")
    # The work ahead, in generated images: what the caches hold costs nothing.
    work = [(0 if sample_run_remembered(Path(model_dir), seed, device) else SAMPLING_BENCH_COUNT,
             0 if _cached_figures(Path(model_dir), settings, fid_keys) is not None else num_samples)
            for model_dir in model_dirs]
    total, done = sum(grid + fid for grid, fid in work), 0
    report = progress or (lambda done, total, what: None)

    @functools.cache
    def shared_probe() -> ImageQualityProbe:
        """The real side once for every model: the same images, the same floor."""
        train_set = load_image_dataset(dataset_name, split="train", source=data_source)
        return ImageQualityProbe.for_training(train_set, data_source, num_samples, seed, device, classifier_dir)

    rows = []
    for index, (model_dir, (grid_work, fid_work)) in enumerate(zip(model_dirs, work), start=1):
        name = Path(model_dir).name if Path(model_dir).name != "best" else f"{Path(model_dir).parent.name}/best"
        which = f"{name} ({index} of {len(model_dirs)})"
        model = _load_of_type(model_dir, device, IMAGE_GENERATOR_TYPES, "an image generator")
        report(done, total, f"{which}: {SAMPLING_BENCH_COUNT} samples, timed")
        grid, seconds, _ = timed_sample_grid(
            Path(model_dir), seed, device,
            # From 2 images the rate is a bound: a batch of 64 is cheaper per image, and nothing is left to load.
            lambda expected: report(done, total, f"{which}: {SAMPLING_BENCH_COUNT} samples, timed, "  # noqa: B023
                                                 f"{about(expected, upper_bound=True)}"))
        done += grid_work
        if fid_work:  # the probe's sampling runs at the rate just measured
            expected = seconds / SAMPLING_BENCH_COUNT * num_samples
            real_side = "" if shared_probe.cache_info().currsize else " and the real images' features"
            report(done, total, f"{which}: classifier-FID of {num_samples:,} samples, {about(expected)}{real_side}")
        figures, cached = _cached_or_measured(
            Path(model_dir), settings, fid_keys, read_only,
            lambda: probe_figures(shared_probe(), shared_probe().measure(model)),  # noqa: B023 (called at once)
        )
        done += fid_work
        rows.append({
            "model": name,
            "family": model.model_type,
            "classifier_fid": figures["classifier_fid"],
            "real_vs_real_floor": figures["real_vs_real_floor"],
            "fid_over_floor": figures.get("fid_over_floor"),
            "class_accuracy": figures.get("class_accuracy"),
            "parameters": count_parameters(Path(model_dir)),
            "size_mb": round(sum(path.stat().st_size for path in model_files(Path(model_dir))) / 2**20, 2),
            "seconds_for_64": round(seconds, 3),
            "cached": cached,
            "sample_grid": grid,
        })
    report(total, total, "done")
    return rows


def compare_text_models(
    model_dirs: list[Path], corpus_name: str, prompt: str, seed: int, max_new_tokens: int, device: torch.device,
    read_only: tuple[Path, ...] = (), progress: Progress | None = None,
) -> list[dict]:
    """One row per model: held-out bits per character on `corpus_name` (cached per corpus), the
    bigram baseline, parameters, tokens/s, and its completion of the same prompt and seed.
    `progress` hears how many models are done of how many."""

    settings = {"corpus": corpus_name}
    prompt, _ = fit_prompt(prompt)
    report = progress or (lambda done, total, what: None)
    rows = []
    for index, model_dir in enumerate(model_dirs):
        report(index, len(model_dirs),
               f"{Path(model_dir).name} ({index + 1} of {len(model_dirs)}): bits per character and a completion")
        model = _load_of_type(model_dir, device, TEXT_MODEL_TYPES, "a text model")
        figures, cached = _cached_or_measured(
            Path(model_dir), settings, ("bits_per_char", "bigram_bits_per_char"), read_only,
            lambda: {name: value  # noqa: B023 (called at once)
                     for name, value in evaluate_text_model(model_dir, corpus_name, device).items() if name != "model"},
        )
        started, tokens, completion = time.perf_counter(), 0, ""
        for completion in stream_text(model, prompt, SamplingSettings(max_new_tokens=max_new_tokens, seed=seed)):
            tokens += 1
        seconds = time.perf_counter() - started
        rows.append({
            "model": Path(model_dir).name,
            "family": model.model_type,
            "bits_per_char": figures["bits_per_char"],
            "bigram_bits_per_char": figures["bigram_bits_per_char"],
            "parameters": sum(parameter.numel() for parameter in model.parameters()),
            "tokens_per_second": round(tokens / max(seconds, 1e-9), 1),
            "completion": completion,
            "cached": cached,
        })
    report(len(model_dirs), len(model_dirs), "done")
    return rows
