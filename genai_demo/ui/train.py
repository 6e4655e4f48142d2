"""The Train tab: pick a model and data, press Train, watch the curves and samples, stop, resume.

The form becomes the CLI's `train` arguments; the job manager runs them in a child process
that outlives this request. A one-second timer reads the job's state, so a reloaded page or a
second browser shows the same job. Only the browser that started a run (a token kept in its
local storage) may stop or resume it.
"""

from __future__ import annotations

import hashlib
import html
import math
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import pandas as pd

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.jobs import CurvePoint, TrainingJob, curves_from_metrics
from genai_demo.metrics_log import METRICS_NAME, read_metrics
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.ownership import OWNER_TOKEN_JS, is_admin, owner_of
from genai_demo.ui.state import AppState

# Family -> (label, learning rate, latent size or None, steps, batch size)
FAMILIES = {
    "mlp-gan": ("MLP GAN (the textbook baseline)", 2e-4, 100, 2000, 64),
    "dcgan": ("DCGAN", 2e-4, 100, 2000, 64),
    "cdcgan": ("Conditional DCGAN", 2e-4, 100, 2000, 64),
    "wgan-gp": ("WGAN-GP", 1e-4, 100, 2000, 64),
    "vae": ("VAE", 1e-3, 16, 2000, 64),
    "ddpm": ("Diffusion (DDPM, diffusers UNet)", 5e-4, None, 2000, 64),
    "char-lstm": ("Character LSTM", 2e-3, None, 1000, 32),
    "tiny-gpt": ("Tiny GPT (transformers GPT-2)", 1e-3, None, 1000, 32),
}
TEXT_FAMILIES = ("char-lstm", "tiny-gpt")
# The shipped models' recipes as the form's defaults: 50 k-means clusters took the DCGAN on the
# embedded digits from classifier-FID 118 to 20 (README), and EMA weights sample cleaner.
DEFAULT_CLUSTERS = {"dcgan": 50}
DEFAULT_EMA_DECAY = {"dcgan": 0.999, "ddpm": 0.999}
IMAGE_DATASETS = ("mnist", "fashion-mnist")
TEXT_CORPORA = ("python-code", "fortunes", "tang-poems", "song-ci")
UPLOAD_CHOICE = "my upload"
POLL_SECONDS = 1.0
QUALITY_SERIES = ("classifier_fid", "fid_floor", "class_accuracy", "val_bits_per_char")
NOT_PLOTTED = ("eval_seconds",)



def _dataset_choices(family: str) -> list[str]:
    return [*(TEXT_CORPORA if family in TEXT_FAMILIES else IMAGE_DATASETS), UPLOAD_CHOICE]


def _whole(value, label: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{label} must be a whole number") from None
    if not math.isfinite(number) or number != int(number):
        raise InvalidInputError(f"{label} must be a whole number")
    return str(int(number))


def keep_upload(uploads_dir: Path, upload_path: str | None, family: str) -> str:
    """Copy an upload where a resume will still find it (Gradio's temporary copy may go)."""
    if not upload_path:
        raise InvalidInputError("choose a file to upload first (a .zip of images, or a .txt for text models)")
    source = Path(upload_path)
    wanted = ".txt" if family in TEXT_FAMILIES else ".zip"
    if source.suffix.lower() != wanted:
        kind = "a UTF-8 .txt file" if family in TEXT_FAMILIES else "a .zip of PNG/JPEG images"
        raise InvalidInputError(f"{FAMILIES[family][0]} trains on {kind}, not {source.name!r}")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    uploads_dir.mkdir(parents=True, exist_ok=True)
    kept = uploads_dir / f"{source.stem[:40]}-{digest}{wanted}"
    if not kept.exists():
        shutil.copyfile(source, kept)
    return str(kept)


def train_arguments(
    family: str, dataset: str, upload_dir: Path, upload: str | None, steps, batch_size, learning_rate,
    latent_size, seed, sample_every, save_every, image_size, channels, eval_every=0, clusters=0, ema_decay=0,
) -> list[str]:
    """The form as `python -m genai_demo train` arguments (validated again by the CLI's parser)."""
    if family not in FAMILIES:
        raise InvalidInputError(f"choose a model family: {', '.join(FAMILIES)}")
    if dataset == UPLOAD_CHOICE:
        dataset = keep_upload(upload_dir, upload, family)
    elif dataset not in _dataset_choices(family):
        raise InvalidInputError(f"{dataset!r} is not a dataset for {FAMILIES[family][0]}")
    steps_text = _whole(steps, "steps")
    log_every = str(max(1, min(20, int(steps_text) // 100)))
    arguments = [
        family, "--max-steps", steps_text, "--epochs", str(limits.EPOCHS.maximum), "--batch-size", _whole(batch_size, "batch size"),
        "--seed", _whole(seed, "seed"), "--sample-every", _whole(sample_every, "sample every"),
        "--save-every", _whole(save_every, "save every"), "--log-every", log_every,
    ]
    if learning_rate is not None and learning_rate != "":  # 0 is refused by the parser, not replaced
        arguments += ["--lr", str(float(learning_rate))]
    if eval_every:
        arguments += ["--eval-every", _whole(eval_every, "evaluate every")]
    if family in TEXT_FAMILIES:
        arguments += ["--corpus", dataset]
    else:
        arguments += ["--dataset", dataset, "--image-size", str(int(image_size)), "--channels", str(int(channels))]
        if FAMILIES[family][2] is not None and latent_size:
            arguments += ["--latent-dim", _whole(latent_size, "latent size")]
        if family == "dcgan" and clusters:
            arguments += ["--clusters", str(limits.CLUSTERS.check(clusters))]
        if ema_decay or family == "ddpm":  # 0 is no averaging; the DDPM would otherwise take its 0.999
            arguments += ["--ema-decay", str(limits.EMA_DECAY.check(ema_decay or 0))]
    return arguments


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def status_html(state: AppState, job: TrainingJob | None) -> str:
    if job is None:
        return "<div id='train-status-text'>No run yet: choose a model and press <b>Train</b>.</div>"
    total = max(job.total_steps, 1)
    parts = [f"<b>{html.escape(job.name)}</b> ({html.escape(job.model)}): <b>{job.state}</b>"]
    position = state.jobs.queue_position(job)
    if position is not None:
        parts.append(f"waiting, position {position} in the queue")
    if job.total_steps:
        parts.append(f"step {job.step:,} / {job.total_steps:,}")
    if job.state == "running" and job.samples_per_second:
        parts.append(f"{job.samples_per_second:,.0f} samples/s · {job.steps_per_second:.1f} steps/s · "
                     f"ETA {_duration(job.eta_seconds())}")
    fids = [point for point in job.curves if point.series == "classifier_fid"]
    if fids:
        best = min(fids, key=lambda point: point.value)
        parts.append(f"best classifier-FID {best.value:.1f} at step {best.step:,} (kept as {html.escape(job.name)}/best)")
    bar = f"<progress value='{min(job.step, total)}' max='{total}' style='width:100%'></progress>"
    message = html.escape(job.message)
    if job.state == "finished":
        message += f" Pick <b>{html.escape(job.name)}</b> in the Images, Diffusion or Text tab to use it."
    return f"<div id='train-status-text'>{' · '.join(parts)}{bar}<div>{message}</div></div>"


def memory_text(state: AppState) -> str:
    figures = state.jobs.memory_in_use()
    text = f"Memory: app {figures['app_mb']:,.0f} MB"
    if figures["training_mb"]:
        text += f" + training process {figures['training_mb']:,.0f} MB"
        if figures["training_cuda_mb"]:
            text += f" and {figures['training_cuda_mb']:,.0f} MB of CUDA memory reserved"
        text += " (given back when the run ends)"
    else:
        text += ", no training process"
    if "cuda_allocated_mb" in figures:
        text += f" · CUDA in this app: {figures['cuda_allocated_mb']:,.0f} MB allocated, {figures['cuda_reserved_mb']:,.0f} MB reserved"
    return text


def sample_timeline(job: TrainingJob | None) -> list[Path]:
    """The fixed-seed grids the run saved so far (step 0 first), from its `samples/` folder."""
    if job is None or job.model in TEXT_FAMILIES:
        return []
    return sorted((job.out / "samples").glob("step_*.png"))


@dataclass
class CurveView:
    smoothing: float = 0.0  # TensorBoard-style exponential moving average weight, 0: raw
    log_scale: bool = False
    compare_with: Path | None = None  # a past run folder whose metrics.jsonl is drawn too


def _smoothed(points: list[CurvePoint], weight: float) -> list[CurvePoint]:
    if weight <= 0:
        return points
    result, last = [], {}
    for point in sorted(points, key=lambda point: point.step):
        previous = last.get(point.series)
        value = point.value if previous is None else weight * previous + (1 - weight) * point.value
        last[point.series] = value
        result.append(CurvePoint(point.step, point.series, value))
    return result


def curves_frame(job: TrainingJob | None, quality: bool = False, view: CurveView | None = None) -> pd.DataFrame:
    """The job's loss curves, or (quality=True) its sample-quality curves: they have other scales."""
    view = view or CurveView()
    points = list(job.curves) if job is not None else []
    if view.compare_with is not None:
        past = curves_from_metrics(read_metrics(view.compare_with))
        points += [CurvePoint(point.step, f"{point.series} ({view.compare_with.name})", point.value) for point in past]
    points = [point for point in points
              if (point.series.split(" (")[0] in QUALITY_SERIES) == quality and point.series.split(" (")[0] not in NOT_PLOTTED]
    points = _smoothed(points, view.smoothing)
    if view.log_scale:
        points = [CurvePoint(point.step, point.series, math.log10(max(point.value, 1e-12))) for point in points]
    if quality:
        points += _best_marker(points)
    # Explicit dtypes: an empty frame would make `series` numeric and the plot's colours a gradient.
    return pd.DataFrame({
        "step": pd.Series([point.step for point in points], dtype="int64"),
        "value": pd.Series([point.value for point in points], dtype="float64"),
        "series": pd.Series([point.series for point in points], dtype="string"),
    })


BEST_MARKED = ("classifier_fid", "val_bits_per_char")  # lower is better; the run keeps that step as <run>/best


def _best_marker(points: list[CurvePoint]) -> list[CurvePoint]:
    """A vertical line, series "best", at the step whose metric was best (the checkpoint kept as <run>/best)."""
    for metric in BEST_MARKED:
        own = [point for point in points if point.series == metric]
        if own:
            best = min(own, key=lambda point: point.value)
            low, high = min(point.value for point in points), max(point.value for point in points)
            return [CurvePoint(best.step, "best", low), CurvePoint(best.step, "best", high)]
    return []


def past_runs(state: AppState) -> list[str]:
    """Run folders with curves on disk, for the comparison dropdown."""
    if not state.jobs.runs_dir.is_dir():
        return []
    return sorted(folder.name for folder in state.jobs.runs_dir.iterdir() if (folder / METRICS_NAME).is_file())


def check_step_cap(state: AppState, steps) -> None:
    """On ZeroGPU a GPU is lent to generation calls only, so training runs on the Space's CPU: capped."""
    if state.max_train_steps and steps and float(steps) > state.max_train_steps:
        raise InvalidInputError(
            f"this Space trains at most {state.max_train_steps:,} steps (ZeroGPU lends a GPU to generation "
            "only, so training runs on its CPU): train longer runs locally or on a GPU box"
        )


def _run_choices(state: AppState) -> list[tuple[str, str]]:
    return [(f"#{job.id} {job.name} · {job.model} · {job.state}", str(job.id)) for job in state.jobs.jobs()]


def _current_job(state: AppState, job_id: str | None) -> TrainingJob | None:
    if job_id:
        try:
            return state.jobs.get(job_id)
        except InvalidInputError:
            return None
    return None


def build_train_tab(state: AppState, demo: gr.Blocks) -> None:
    def start_training(token, family, dataset, upload, run_name, steps, batch_size, learning_rate, latent_size,
                       seed, sample_every, save_every, image_size, channels, eval_every, clusters, ema_decay,
                       request: gr.Request):
        owner = owner_of(request, token)
        with shown_to_user():
            check_step_cap(state, steps)
            arguments = train_arguments(family, dataset, state.jobs.runs_dir.parent / "uploads", upload, steps,
                                        batch_size, learning_rate, latent_size, seed, sample_every, save_every,
                                        image_size, channels, eval_every, clusters, ema_decay)
            job = state.jobs.submit(run_name, arguments + ["--device", str(state.device)], owner=owner)
        return gr.Dropdown(choices=_run_choices(state), value=str(job.id))

    def stop_training(token, job_id, admin_token, request: gr.Request):
        with shown_to_user():
            state.jobs.stop(job_id, owner=owner_of(request, token), admin=is_admin(state, admin_token))

    def resume_training(token, job_id, steps, admin_token, request: gr.Request):
        with shown_to_user():
            check_step_cap(state, steps)
            job = state.jobs.resume(job_id, owner=owner_of(request, token), max_steps=int(_whole(steps, "steps")),
                                    admin=is_admin(state, admin_token))
        return gr.Dropdown(choices=_run_choices(state), value=str(job.id))

    def choose_family(family):
        label, learning_rate, latent_size, steps, batch_size = FAMILIES[family]
        choices = _dataset_choices(family)
        return (gr.Dropdown(choices=choices, value=choices[0]), learning_rate,
                gr.Number(value=latent_size or 0, visible=latent_size is not None), steps, batch_size,
                gr.Row(visible=family not in TEXT_FAMILIES), f"{family}-{uuid.uuid4().hex[:6]}",
                gr.Image(visible=family not in TEXT_FAMILIES), gr.Textbox(visible=family in TEXT_FAMILIES),
                gr.Number(value=DEFAULT_CLUSTERS.get(family, 0), visible=family == "dcgan"),
                gr.Number(value=DEFAULT_EMA_DECAY.get(family, 0), visible=family not in TEXT_FAMILIES))

    def show_job(job_id, shown, smoothing=0.0, log_scale=False, compare_with=None, token="", admin_token="",
                 request: gr.Request = None):
        """The timer's view of one job: status, curves, latest sample (only when it changed), log."""
        job = _current_job(state, job_id)
        # Others' runs are read-only here: Stop and Resume only for the owner (or an admin).
        owned = job is None or not job.owner or job.owner == owner_of(request, token) or is_admin(state, admin_token)
        buttons = (gr.Button(interactive=owned), gr.Button(interactive=owned))
        view = CurveView(float(smoothing or 0), bool(log_scale),
                         state.jobs.runs_dir / compare_with if compare_with and compare_with in past_runs(state) else None)
        y_title = "log10(value)" if view.log_scale else "value"
        # `shown` is "<sample key>|<curves key>": what this page already has, so an unchanged plot or
        # grid is not sent again (a Vega plot redrawn every second on a busy CPU never finishes drawing).
        shown_sample_key, _, shown_curves_key = (shown or "").partition("|")
        curves_key = f"{job.id if job else ''}:{len(job.curves) if job else 0}:{view}"
        losses, quality = gr.skip(), gr.skip()
        # An empty frame is never sent: Vega would fix an empty colour domain and draw later lines invisibly.
        if curves_key != shown_curves_key and job is not None and job.curves:
            # gr.update, not gr.LinePlot(...): a new component would reset the plot's x/y/colour encoding.
            losses = gr.update(value=curves_frame(job, view=view), y_title=y_title)
            quality = gr.update(value=curves_frame(job, quality=True, view=view), y_title=y_title)
        if job is None:
            return (status_html(state, None), losses, quality, gr.skip(), gr.skip(), "", f"|{curves_key}",
                    gr.Timer(active=False), memory_text(state), gr.Slider(visible=False), *buttons)
        sample_key = f"{job.id}:{job.sample_step}"
        image, text, timeline = gr.skip(), gr.skip(), gr.skip()
        if sample_key != shown_sample_key and job.sample_path is not None:
            if job.model in TEXT_FAMILIES:
                text = job.sample_text
            elif job.sample_path.is_file():
                copy = state.outputs.new_path(f"train-{job.name}", ".png")
                shutil.copyfile(job.sample_path, copy)
                image = gr.Image(value=copy, label=f"Fixed-seed samples at step {job.sample_step:,}")
                # The timeline follows the newest grid; scrub it back to see the model learn.
                grids = sample_timeline(job)
                timeline = gr.Slider(visible=len(grids) > 1, maximum=max(len(grids) - 1, 1), value=len(grids) - 1)
            shown_sample_key = sample_key
        shown = f"{shown_sample_key}|{curves_key}"
        # Poll only while the job can still change: an idle page makes no requests.
        return (status_html(state, job), losses, quality, image, text,
                "\n".join(job.log), shown, gr.Timer(active=job.active), memory_text(state), timeline, *buttons)

    def reattach(token, job_id, request: gr.Request):
        """On page load: the run to watch (this browser's active one first, else any active, else the newest)."""
        jobs = state.jobs.jobs()
        owner = owner_of(request, token)
        mine = [job for job in jobs if job.owner == owner and job.active]
        chosen = mine or [job for job in jobs if job.active] or jobs
        value = job_id if _current_job(state, job_id) else (str(chosen[0].id) if chosen else None)
        return gr.Dropdown(choices=_run_choices(state), value=value)

    # Not a gr.State: that lives on the server, and the token is made and kept by the browser.
    owner_token = gr.Textbox("", visible=False)
    shown_sample = gr.State("")
    gr.Markdown(
        "Train a model here and watch it learn. The run continues if you close or reload the page; come back "
        "and it reattaches. Stop saves a checkpoint that **Resume** continues exactly (optimizer, step and random "
        "state included). The same run from a terminal: `python -m genai_demo train --help`."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            family_dropdown = gr.Dropdown(
                choices=[(label, family) for family, (label, *_) in FAMILIES.items()], value="mlp-gan",
                label="Model family", elem_id="train-family",
            )
            dataset_dropdown = gr.Dropdown(choices=_dataset_choices("mlp-gan"), value="mnist", label="Dataset",
                                           elem_id="train-dataset")
            upload_file = gr.File(label="…or upload: a .zip of images (sub-folders are classes) or a .txt",
                                  file_types=[".zip", ".txt"], type="filepath", height=90)
            with gr.Row(visible=True) as image_options:
                image_size = gr.Dropdown(choices=[28, 32, 64], value=28, label="Image size (uploads)")
                channels = gr.Dropdown(choices=[("grayscale", 1), ("RGB", 3)], value=1, label="Channels (uploads)")
            run_name = gr.Textbox(label="Run name", value=f"mlp-gan-{uuid.uuid4().hex[:6]}", elem_id="train-run-name")
            with gr.Row():
                steps_number = gr.Number(label="Steps", value=2000, minimum=1, elem_id="train-steps")
                batch_number = gr.Number(label="Batch size", value=64, minimum=1)
            with gr.Row():
                learning_rate_number = gr.Number(label="Learning rate", value=2e-4, minimum=0)
                latent_number = gr.Number(label="Latent size", value=100, minimum=0)
            with gr.Row():
                seed_number = gr.Number(label="Seed", value=0, minimum=0)
                sample_every_number = gr.Number(label="Sample every N steps", value=50, minimum=1,
                                                elem_id="train-sample-every")
                save_every_number = gr.Number(label="Save every N steps", value=500, minimum=1)
                eval_every_number = gr.Number(
                    label="Evaluate every N steps (0: off)", value=0, minimum=0, elem_id="train-eval-every",
                    info="classifier-FID for MNIST image models (best kept as <run>/best); bits/char for text",
                )
            with gr.Row():
                clusters_number = gr.Number(
                    label="Self-conditioning clusters (0: off)", value=0, minimum=0, visible=False,
                    elem_id="train-clusters",
                    info="k-means clusters of the training images condition both networks (Liu et al. 2020): "
                         "every digit gets its share, no labels used",
                )
                ema_number = gr.Number(label="EMA decay (0: none)", value=0, minimum=0, maximum=0.99999,
                                       elem_id="train-ema", info="sample from a moving average of the weights")
            with gr.Accordion("Admin", open=False, visible=state.admin_token is not None):
                admin_box = gr.Textbox(label="Admin token (may stop or resume anyone's run)", type="password")
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="train-start")
                stop_button = gr.Button("Stop", variant="stop", elem_id="train-stop")
                resume_button = gr.Button("Resume", elem_id="train-resume")
        with gr.Column(scale=2):
            run_dropdown = gr.Dropdown(choices=[], value=None, label="Run", elem_id="train-run")
            status = gr.HTML(status_html(state, None), elem_id="train-status")
            with gr.Row():
                curves = gr.LinePlot(curves_frame(None), x="step", y="value", color="series", label="Losses",
                                     height=260, elem_id="train-plot")
                quality_curves = gr.LinePlot(curves_frame(None, quality=True), x="step", y="value", color="series",
                                             label="Sample quality (lower FID is better; the floor is real data)",
                                             height=260, elem_id="train-quality-plot")
            with gr.Row():
                sample_image = gr.Image(label="Fixed-seed samples", type="filepath", interactive=False,
                                        elem_id="train-sample", height=260)
                sample_text = gr.Textbox(label="Text sample", lines=10, interactive=False, elem_id="train-sample-text",
                                         visible=False)
            with gr.Row():
                smoothing_slider = gr.Slider(0, 0.99, value=0, step=0.01, label="Smoothing",
                                             info="exponential moving average, as in TensorBoard")
                log_scale_box = gr.Checkbox(label="Log scale", value=False)
                compare_dropdown = gr.Dropdown(choices=[("(none)", "")], value="", label="Compare with a past run",
                                               allow_custom_value=False, elem_id="train-compare")
            timeline_slider = gr.Slider(0, 1, value=0, step=1, label="Timeline: the fixed-seed grid at each sample step",
                                        visible=False, elem_id="train-timeline")
            memory_line = gr.Markdown(elem_id="train-memory")
            log_box = gr.Textbox(label="Log", lines=8, max_lines=8, interactive=False, autoscroll=True,
                                 elem_id="train-log")

    form = [family_dropdown, dataset_dropdown, upload_file, run_name, steps_number, batch_number, learning_rate_number,
            latent_number, seed_number, sample_every_number, save_every_number, image_size, channels,
            eval_every_number, clusters_number, ema_number]
    family_dropdown.change(
        choose_family, family_dropdown,
        [dataset_dropdown, learning_rate_number, latent_number, steps_number, batch_number, image_options, run_name,
         sample_image, sample_text, clusters_number, ema_number],
        api_visibility="private",
    )
    train_button.click(start_training, [owner_token, *form], run_dropdown, api_visibility="private")
    stop_button.click(stop_training, [owner_token, run_dropdown, admin_box], None, api_visibility="private")
    resume_button.click(resume_training, [owner_token, run_dropdown, steps_number, admin_box], run_dropdown,
                        api_visibility="private")
    def show_grid_at(job_id, position):
        """Scrub the run's saved grids: the model learning, step by step."""
        grids = sample_timeline(_current_job(state, job_id))
        if not grids:
            return gr.skip()
        chosen = grids[min(max(int(position or 0), 0), len(grids) - 1)]
        copy = state.outputs.new_path(f"timeline-{chosen.stem}", ".png")
        shutil.copyfile(chosen, copy)
        return gr.Image(value=copy, label=f"Fixed-seed samples at step {int(chosen.stem.split('_')[1]):,}")

    timeline_slider.input(show_grid_at, [run_dropdown, timeline_slider], sample_image, api_visibility="private")
    timer = gr.Timer(POLL_SECONDS, active=False)
    outputs = [status, curves, quality_curves, sample_image, sample_text, log_box, shown_sample, timer, memory_line,
               timeline_slider, stop_button, resume_button]
    view_controls = [smoothing_slider, log_scale_box, compare_dropdown]
    viewer = [owner_token, admin_box]
    def show_chosen_job(job_id, smoothing, log_scale, compare_with, token, admin_token, request: gr.Request):
        return show_job(job_id, "", smoothing, log_scale, compare_with, token, admin_token, request)

    run_dropdown.change(show_chosen_job, [run_dropdown, *view_controls, *viewer], outputs, api_visibility="private")
    gr.on([control.change for control in view_controls], show_job,
          [run_dropdown, shown_sample, *view_controls, *viewer], outputs, api_visibility="private")
    compare_dropdown.focus(lambda current: gr.Dropdown(choices=[("(none)", ""), *past_runs(state)], value=current),
                           compare_dropdown, compare_dropdown, api_visibility="private")
    # Status reads are cheap and must not wait behind generation requests: their own queue slot.
    timer.tick(show_job, [run_dropdown, shown_sample, *view_controls, *viewer], outputs, api_visibility="private",
               concurrency_id="train-status", concurrency_limit=None)
    # The owner token lives in the browser's local storage, so it survives reloads of this browser only.
    demo.load(None, None, owner_token, js=OWNER_TOKEN_JS).then(
        reattach, [owner_token, run_dropdown], run_dropdown, api_visibility="private"
    )
