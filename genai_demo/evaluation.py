"""`python -m genai_demo eval`: quality figures of a model folder, shared by the CLI and (later) the UI."""

from __future__ import annotations

from pathlib import Path

import torch

from genai_demo.data import load_image_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.generation import load_cached_model
from genai_demo.hub.model_folder import read_model_config
from genai_demo.models.vae import negative_elbo_terms
from genai_demo.training.classifier_trainer import classification_accuracy
from genai_demo.training.quality import ImageQualityProbe


# Bump when a figure's definition changes (classifier, sample count rules, bits-per-char scoring):
# cached results of another version are measured again instead of compared.
EVAL_METRIC_VERSION = 1


def save_eval_results(model_dir: str | Path, results: dict) -> Path:
    """Cache the figures in the model folder (`eval_results.json`), where the Hub tab and the
    model card read them; paths are dropped, as they mean nothing on another machine."""
    import datetime

    from genai_demo.hub.registry import EVAL_RESULTS_NAME
    from genai_demo.io_utils import atomic_write_json

    path = Path(model_dir) / EVAL_RESULTS_NAME
    cached = {name: value for name, value in results.items() if name not in ("model", "classifier")}
    cached["metric_version"] = EVAL_METRIC_VERSION
    cached["evaluated_on"] = datetime.date.today().isoformat()
    atomic_write_json(path, cached)
    return path


def evaluate_model_folder(
    model_dir: str | Path,
    classifier_dir: str | Path,
    num_samples: int,
    seed: int,
    device: torch.device,
    dataset_name: str = "mnist",
    data_source: str = "auto",
    corpus_name: str | None = None,
) -> dict[str, float | int | str]:
    """Classifier-FID with its real-vs-real floor for generators, test accuracy for classifiers,
    held-out bits per character (beside a bigram baseline) for text models.

    Both FIDs use the same number of images and the same real test images, so they compare.
    """
    model_type, _ = read_model_config(model_dir)
    if model_type in ("char-lstm", "causal-lm"):
        return evaluate_text_model(model_dir, corpus_name or "python-code", device)
    test_set = load_image_dataset(dataset_name, split="test", source=data_source)
    classifier = load_cached_model(classifier_dir, device)
    if classifier.model_type != "classifier":
        raise InvalidInputError(f"{classifier_dir} is a {classifier.model_type}, not a classifier folder")
    if model_type == "classifier":
        accuracy = classification_accuracy(load_cached_model(model_dir, device), test_set, device)
        return {"model": str(model_dir), "test_accuracy": round(accuracy, 4), "num_images": len(test_set)}
    if model_type == "vae":
        return {"model": str(model_dir), **vae_negative_elbo(load_cached_model(model_dir, device), test_set, seed, device)}
    train_set = load_image_dataset(dataset_name, split="train", source=data_source)
    probe = ImageQualityProbe(train_set, test_set, classifier, num_samples, seed)
    figures = probe.measure(load_cached_model(model_dir, device))
    extra = {"class_accuracy": round(figures["class_accuracy"], 4)} if "class_accuracy" in figures else {}
    return {
        **extra,
        "model": str(model_dir),
        "num_images": probe.count,
        "classifier_fid": round(figures["classifier_fid"], 3),
        "real_vs_real_floor": round(probe.floor, 3),
        "fid_over_floor": round(figures["classifier_fid"] / max(probe.floor, 1e-12), 2),
        "data": probe.test_source,
        "classifier": str(classifier_dir),
    }


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
    from genai_demo.data.text import load_text_corpus
    from genai_demo.training.text_trainer import bigram_bits_per_char, validation_bits_per_char

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
