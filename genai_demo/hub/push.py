"""Push a model folder to the Hugging Face Hub: its model files, a card written for the Hub
(model-index figures, base model, training curves, a "use this model" snippet with the repo id)
and nothing else: no training state, no pickles, never the token."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from huggingface_hub import EvalResult, HfApi, ModelCard, ModelCardData
from huggingface_hub.errors import (  # HTTPError: of the client the Hub library uses
    HfHubHTTPError,
    HTTPError,
)

from genai_demo.errors import GenaiDemoError, InvalidInputError, ModelLoadError
from genai_demo.families import FAMILIES
from genai_demo.folders.model_folder import (
    HUB_SOURCE_NAME,
    hub_source,
    is_pipeline_folder,
    read_model_config,
)
from genai_demo.folders.registry import dataset_of_tags, model_files, read_eval_results
from genai_demo.folders.transformers_folder import is_transformers_folder
from genai_demo.hub.hub_models import check_repo_id, hub_is_offline
from genai_demo.metrics_log import curve_values, read_metrics
from genai_demo.plotting import line_panels

CURVES_NAME = "training_curves.png"
# Pushed as they are: weights, configs, tokenizers, card images, logs. Code only for the one
# pipeline class a class-conditional diffusion folder needs (diffusers runs it with trust_remote_code).
PUSHED_SUFFIXES = (".safetensors", ".json", ".jsonl", ".txt", ".png", ".model")
PUSHED_CODE = ("class_conditional_pipeline.py",)
LIBRARY_OF_FORMAT = {"pipeline": "diffusers", "transformers": "transformers"}
# eval_results.json key -> (model-index metric type, readable name)
EVAL_METRICS = {
    "classifier_fid": ("classifier-fid", "classifier-FID (LeNet features, lower is better)"),
    "real_vs_real_floor": ("classifier-fid-floor", "real-vs-real classifier-FID floor"),
    "class_accuracy": ("accuracy", "class accuracy of conditional samples"),
    "test_accuracy": ("accuracy", "test accuracy"),
    "negative_elbo_nats": ("negative-elbo", "negative ELBO (nats per image, lower is better)"),
    "bits_per_char": ("bits-per-character", "validation bits per character (lower is better)"),
}


class HubPushError(GenaiDemoError):
    """The Hub refused or could not take the upload; the message says why and what to do."""


def _folder_format(folder: Path) -> str:

    if is_pipeline_folder(folder):
        return "pipeline"
    return "transformers" if is_transformers_folder(folder) else "genai-demo"


def render_training_curves(folder: Path, out_path: Path) -> bool:
    """Plot every curve of metrics.jsonl against the step into one PNG; False if there is none."""

    records = read_metrics(folder)
    names = sorted({name for record in records for name in curve_values(record)})
    if not names:
        return False
    series = {}
    for name in names:
        points = [(record["step"], record[name]) for record in records if isinstance(record.get(name), (int, float))]
        series[name] = ([step for step, _ in points], [value for _, value in points])
    line_panels(series).save(out_path)
    return True


def _eval_results_for_card(folder: Path, model_name: str, task: str, dataset: tuple[str, str]):

    results = read_eval_results(folder)
    dataset_type, dataset_name = dataset
    return [
        EvalResult(
            task_type=task, dataset_type=dataset_type, dataset_name=dataset_name,
            metric_type=metric_type, metric_name=metric_name, metric_value=results[key],
        )
        for key, (metric_type, metric_name) in EVAL_METRICS.items()
        if isinstance(results.get(key), (int, float))
    ]


def hub_model_card(folder: str | Path, repo_id: str, with_curves: bool) -> str:
    """The folder's card rewritten for `repo_id`: YAML the Hub indexes, snippets that load from the repo."""

    folder = Path(folder)
    card_path = folder / "README.md"
    if card_path.is_file():
        try:
            card = ModelCard.load(card_path)
        except Exception as error:
            raise ModelLoadError(f"{card_path} has broken YAML metadata: {error}") from None
    else:
        card = ModelCard(f"---\n{ModelCardData(license='mit').to_yaml()}\n---\n# {folder.name}\n")
    data = card.data
    tags = [str(tag) for tag in (data.tags or [])]
    family = next((FAMILIES[tag] for tag in tags if tag in FAMILIES), None)
    library = LIBRARY_OF_FORMAT.get(_folder_format(folder))
    if library:  # the library that loads the folder with no code of ours: the Hub shows its snippet
        data.library_name = library
        tags = list(dict.fromkeys(["genai-demo", *tags]))
    data.tags = tags or ["genai-demo"]
    data.pipeline_tag = data.pipeline_tag or (family.pipeline_tag if family else None)
    source = hub_source(folder)
    if source.get("repo_id") and source["repo_id"] != repo_id:
        data.base_model = source["repo_id"]
    datasets = [str(name) for name in (data.datasets or [])]
    dataset_name = dataset_of_tags(tags) or (datasets[0] if datasets else "unknown")
    evals = _eval_results_for_card(
        folder, repo_id.split("/")[-1], data.pipeline_tag or "unconditional-image-generation",
        (datasets[0] if datasets else dataset_name, dataset_name),
    )
    if evals:
        data.eval_results = evals
        data.model_name = repo_id.split("/")[-1]
    # Usage snippets were written for a local path; on the Hub the repo id loads the same files.
    text = re.sub(r'path/to/[A-Za-z0-9._-]+(/best)?', repo_id, card.text)
    if with_curves:
        text = text.rstrip() + (
            f"\n\n## Training curves\n\n![training curves]({CURVES_NAME})\n\n"
            "Each panel is one logged value (see `metrics.jsonl`) against the training step. "
            "GAN losses are a balance, not a score: they should stay bounded, not fall to zero. "
            "Likelihood-style losses (ELBO, noise prediction, cross-entropy, bits per character) should fall "
            "and flatten; a validation curve that rises again means overfitting.\n"
        )
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{text.lstrip()}")
    return str(card)


def stage_for_push(folder: str | Path, staging: Path, repo_id: str) -> list[str]:
    """Copy what gets pushed into `staging` (model files, curves, the Hub card); returns the paths."""
    folder = Path(folder)
    for path in model_files(folder):
        relative = path.relative_to(folder)
        if path.name in ("README.md", HUB_SOURCE_NAME):
            continue
        if path.suffix in PUSHED_SUFFIXES or path.name in PUSHED_CODE:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    with_curves = render_training_curves(folder, staging / CURVES_NAME)
    (staging / "README.md").write_text(hub_model_card(folder, repo_id, with_curves), encoding="utf-8")
    return sorted(str(path.relative_to(staging)) for path in staging.rglob("*") if path.is_file())


def push_model_folder(
    folder: str | Path,
    repo_id: str,
    token: str | None = None,
    private: bool = False,
    commit_message: str | None = None,
    endpoint: str | None = None,
) -> str:
    """Create `repo_id` if missing and commit the folder to it; returns the commit's URL.

    The token comes from the argument or `HF_TOKEN`; it goes into request headers only and is
    scrubbed from any error message.
    """


    if hub_is_offline():
        raise InvalidInputError("HF_HUB_OFFLINE is set: pushing needs the Hub, unset it and start again")
    folder = Path(folder)
    read_model_config(folder)  # only a folder that loads is worth pushing
    repo_id = check_repo_id(repo_id)
    token = (token or "").strip() or os.environ.get("HF_TOKEN", "").strip()
    if not token:
        raise InvalidInputError(
            "pushing needs a Hub token with write access: set HF_TOKEN (or paste one in the Hub tab) "
            "(huggingface.co/settings/tokens)"
        )
    message = (commit_message or "").strip() or f"Upload {folder.name} from genai-demo"

    def scrubbed(error: Exception) -> str:
        return " ".join(str(error).replace(token, "***").split())[:300]

    api = HfApi(endpoint=endpoint, token=token)
    with tempfile.TemporaryDirectory(prefix="genai-demo-push-") as staging:
        stage_for_push(folder, Path(staging), repo_id)
        try:
            api.create_repo(repo_id, private=private, exist_ok=True)
            commit = api.upload_folder(repo_id=repo_id, folder_path=staging, commit_message=message)
        except HfHubHTTPError as error:
            status = error.response.status_code if error.response is not None else None
            if status == 401:
                raise HubPushError("the Hub refused the token (401): check HF_TOKEN or the pasted token") from None
            if status == 403:
                raise HubPushError(
                    f"the token may not write to {repo_id} (403): use a write token and a namespace you own"
                ) from None
            raise HubPushError(f"the Hub refused the push of {repo_id}: {scrubbed(error)}") from None
        except (HTTPError, OSError) as error:  # no answer: timeout, refused connection, unknown host
            raise HubPushError(f"cannot reach the Hub to push {repo_id}: {scrubbed(error)}") from None
    return str(commit.commit_url)

