"""The Train tab: pick a model and data, press Train, watch the curves and samples, stop, resume.

The form becomes the CLI's `train` arguments; the job manager runs them in a child process
that outlives this request. A one-second timer reads the job's state, so a reloaded page or a
second browser shows the same job. Only the browser that started a run (a token kept in its
local storage) may stop or resume it. The families, their defaults and which fields apply to
each come from the family registry (`genai_demo.families`).
"""

from __future__ import annotations

import hashlib
import html
import math
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr
import pandas as pd

from genai_demo import limits
from genai_demo.data import IMAGE_DATASETS
from genai_demo.data.text import TEXT_CORPORA
from genai_demo.errors import InvalidInputError
from genai_demo.families import FAMILIES, Family, train_tab_families
from genai_demo.jobs import CurvePoint, TrainingJob, curves_from_metrics
from genai_demo.metrics_log import METRICS_NAME, read_metrics
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.ownership import OWNER_TOKEN_JS, is_admin, owner_of
from genai_demo.ui.state import AppState, bind

UPLOAD_CHOICE = "my upload"
POLL_SECONDS = 1.0
QUALITY_SERIES = ("classifier_fid", "fid_floor", "class_accuracy", "val_bits_per_char")
NOT_PLOTTED = ("eval_seconds",)
BEST_MARKED = ("classifier_fid", "val_bits_per_char")  # lower is better; the run keeps that step as <run>/best


# ---- The form: which fields a family shows, and the `train` arguments it becomes ----


@dataclass
class TrainForm:
    """The Train form's values as Gradio passes them (numbers may arrive as floats, or None when cleared)."""

    family: str
    dataset: str
    upload: str | None = None
    steps: float | None = None
    batch_size: float | None = None
    learning_rate: float | None = None
    latent_size: float | None = 0
    seed: float | None = 0
    sample_every: float | None = 50
    save_every: float | None = 500
    image_size: float = 28
    channels: float = 1
    eval_every: float | None = 0
    clusters: float | None = 0
    ema_decay: float | None = 0


@dataclass(frozen=True)
class FamilyForm:
    """What the form shows for one family: its defaults, and only the fields whose flags apply to it
    (a None field is hidden)."""

    datasets: list[str]
    learning_rate: float
    steps: int
    batch_size: int
    latent_size: int | None
    clusters: int | None
    ema_decay: float | None
    image_options: bool  # image size and channels of an upload


def train_family(name: str) -> Family:
    """A family the Train tab offers, or a clear error listing them."""
    offered = {record.name: record for record in train_tab_families()}
    if name not in offered:
        raise InvalidInputError(f"choose a model family: {', '.join(offered)}")
    return offered[name]


def dataset_choices(record: Family) -> list[str]:
    return [*(TEXT_CORPORA if "corpus" in record.options else IMAGE_DATASETS), UPLOAD_CHOICE]


def family_form(name: str) -> FamilyForm:
    record = train_family(name)
    defaults = record.defaults

    def field(option: str, default):
        return (default or 0) if option in record.options else None

    return FamilyForm(dataset_choices(record), defaults.learning_rate, defaults.steps, defaults.batch_size,
                      field("latent-dim", defaults.latent_dim), field("clusters", defaults.clusters),
                      field("ema-decay", defaults.ema_decay), "image-size" in record.options)


def _whole(value, label: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{label} must be a whole number") from None
    if not math.isfinite(number) or number != int(number):
        raise InvalidInputError(f"{label} must be a whole number")
    return str(int(number))


def keep_upload(uploads_dir: Path, upload_path: str | None, record: Family) -> str:
    """Copy an upload where a resume will still find it (Gradio's temporary copy may go)."""
    if not upload_path:
        raise InvalidInputError("choose a file to upload first (a .zip of images, or a .txt for text models)")
    source = Path(upload_path)
    wanted = ".txt" if record.is_text else ".zip"
    if source.suffix.lower() != wanted:
        kind = "a UTF-8 .txt file" if record.is_text else "a .zip of PNG/JPEG images"
        raise InvalidInputError(f"{record.form_label} trains on {kind}, not {source.name!r}")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    uploads_dir.mkdir(parents=True, exist_ok=True)
    kept = uploads_dir / f"{source.stem[:40]}-{digest}{wanted}"
    if not kept.exists():
        shutil.copyfile(source, kept)
    return str(kept)


def _ema_decay(record: Family, ema_decay) -> str | None:
    """0 means no averaging. It is passed on where the family's recipe averages (the DDPM's trainer
    would otherwise take its 0.999); elsewhere no flag is the same and costs nothing."""
    if ema_decay or record.defaults.ema_decay:
        return str(limits.EMA_DECAY.check(ema_decay or 0))
    return None


def _family_flags(record: Family, form: TrainForm, dataset: str) -> list[str]:
    """The flags beyond the common ones, each only where it applies to the family (`Family.options`)."""
    values = {  # option -> its text, computed (and so checked) only when the option applies; None: not sent
        "dataset": lambda: dataset,
        "corpus": lambda: dataset,
        "image-size": lambda: str(int(form.image_size)),
        "channels": lambda: str(int(form.channels)),
        "epochs": lambda: str(limits.EPOCHS.maximum),  # the form's steps decide the length
        "latent-dim": lambda: _whole(form.latent_size, "latent size") if form.latent_size else None,
        "clusters": lambda: str(limits.CLUSTERS.check(form.clusters)) if form.clusters else None,
        "ema-decay": lambda: _ema_decay(record, form.ema_decay),
    }
    flags = []
    for option, value in values.items():
        if option in record.options and (text := value()) is not None:
            flags += [f"--{option}", text]
    return flags


def train_arguments(form: TrainForm, upload_dir: Path) -> list[str]:
    """The form as `python -m genai_demo train` arguments (validated again by the CLI's parser)."""
    record = train_family(form.family)
    dataset = form.dataset
    if dataset == UPLOAD_CHOICE:
        dataset = keep_upload(upload_dir, form.upload, record)
    elif dataset not in dataset_choices(record):
        raise InvalidInputError(f"{dataset!r} is not a dataset for {record.form_label}")
    steps = _whole(form.steps, "steps")
    arguments = [
        record.name, "--max-steps", steps, "--batch-size", _whole(form.batch_size, "batch size"),
        "--seed", _whole(form.seed, "seed"), "--sample-every", _whole(form.sample_every, "sample every"),
        "--save-every", _whole(form.save_every, "save every"),
        "--log-every", str(max(1, min(20, int(steps) // 100))),  # about a hundred points on the curve
    ]
    if form.learning_rate is not None and form.learning_rate != "":  # 0 is refused by the parser, not replaced
        arguments += ["--lr", str(float(form.learning_rate))]
    if form.eval_every:
        arguments += ["--eval-every", _whole(form.eval_every, "evaluate every")]
    return arguments + _family_flags(record, form, dataset)


def check_step_cap(state: AppState, steps) -> None:
    """On ZeroGPU a GPU is lent to generation calls only, so training runs on the Space's CPU: capped."""
    if state.max_train_steps and steps and float(steps) > state.max_train_steps:
        raise InvalidInputError(
            f"this Space trains at most {state.max_train_steps:,} steps (ZeroGPU lends a GPU to generation "
            "only, so training runs on its CPU): train longer runs locally or on a GPU box"
        )


# ---- What the page shows of a run ----


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


def is_text_job(job: TrainingJob) -> bool:
    record = FAMILIES.get(job.model)
    return record is not None and record.is_text


def sample_timeline(job: TrainingJob | None) -> list[Path]:
    """The fixed-seed grids the run saved so far (step 0 first), from its `samples/` folder."""
    if job is None or is_text_job(job):
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


def _run_choices(state: AppState) -> list[tuple[str, str]]:
    return [(f"#{job.id} {job.name} · {job.model} · {job.state}", str(job.id)) for job in state.jobs.jobs()]


def _current_job(state: AppState, job_id: str | None) -> TrainingJob | None:
    if job_id:
        try:
            return state.jobs.get(job_id)
        except InvalidInputError:
            return None
    return None


@dataclass(frozen=True)
class ShownOnPage:
    """What one page already shows, so an unchanged plot or grid is not sent again (a Vega plot
    redrawn every second on a busy CPU never finishes drawing). Kept per browser tab in a gr.State."""

    sample_key: str = ""  # "<job id>:<sample step>"
    curves_key: str = ""  # "<job id>:<points>:<view>"
    loss_series: tuple[str, ...] = ()  # the lines of the data each plot was last sent
    quality_series: tuple[str, ...] = ()
    y_title: str = ""
    redraw: bool = False  # the plots were sent data they must be drawn afresh for (see _plot_updates)


# ---- Handlers: (state, inputs) -> outputs ----


def start_training(state: AppState, token: str, family: str, dataset: str, upload: str | None, run_name: str,
                   steps, batch_size, learning_rate, latent_size, seed, sample_every, save_every, image_size,
                   channels, eval_every, clusters, ema_decay, request: gr.Request = None) -> gr.Dropdown:
    """Queue a run of the form's settings, owned by this browser (or logged-in user); select it."""
    form = TrainForm(family, dataset, upload, steps, batch_size, learning_rate, latent_size, seed, sample_every,
                     save_every, image_size, channels, eval_every, clusters, ema_decay)
    with shown_to_user():
        check_step_cap(state, steps)
        arguments = train_arguments(form, state.jobs.runs_dir.parent / "uploads")
        job = state.jobs.submit(run_name, arguments + ["--device", str(state.device)], owner=owner_of(request, token))
    return gr.Dropdown(choices=_run_choices(state), value=str(job.id))


def stop_training(state: AppState, token: str, job_id: str, admin_token: str, request: gr.Request = None) -> None:
    with shown_to_user():
        state.jobs.stop(job_id, owner=owner_of(request, token), admin=is_admin(state, admin_token))


def resume_training(state: AppState, token: str, job_id: str, steps, admin_token: str,
                    request: gr.Request = None) -> gr.Dropdown:
    with shown_to_user():
        check_step_cap(state, steps)
        job = state.jobs.resume(job_id, owner=owner_of(request, token), max_steps=int(_whole(steps, "steps")),
                                admin=is_admin(state, admin_token))
    return gr.Dropdown(choices=_run_choices(state), value=str(job.id))


def choose_family(family: str) -> tuple:
    """The form for another family: its datasets and defaults, only the fields that apply, a fresh run name.
    Outputs: dataset, learning rate, latent size, steps, batch size, image options, run name, clusters, EMA decay."""
    form = family_form(family)
    return (gr.Dropdown(choices=form.datasets, value=form.datasets[0]), form.learning_rate,
            gr.Number(value=form.latent_size or 0, visible=form.latent_size is not None), form.steps, form.batch_size,
            gr.Row(visible=form.image_options), f"{family}-{uuid.uuid4().hex[:6]}",
            gr.Number(value=form.clusters or 0, visible=form.clusters is not None),
            gr.Number(value=form.ema_decay or 0, visible=form.ema_decay is not None))


def sample_widgets(state: AppState, job_id: str | None) -> tuple[gr.Image, gr.Textbox]:
    """The chosen run's kind of sample: a text box for a text model's run, else the image grid."""
    job = _current_job(state, job_id)
    text = job is not None and is_text_job(job)
    return gr.Image(visible=not text), gr.Textbox(visible=text)


def _series(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(set(frame["series"])))


def _plot_updates(job: TrainingJob | None, view: CurveView, shown: ShownOnPage) -> tuple[ShownOnPage, object, object]:
    """(what the page shows after, loss plot, quality plot): the plots only when their points or view changed.

    Gradio's plot swaps new data into the Vega view it drew, which keeps its colour domain and axis
    titles: lines of new series would be invisible. Changing a drawing property (`colors_in_legend`,
    `y_title`) draws it afresh, but from the data it had before that same update. So new series or
    a new scale go out in two calls: the data, then (next call) the properties that redraw it."""
    if shown.redraw:
        redraw = [gr.update(colors_in_legend=list(series), y_title=shown.y_title)
                  for series in (shown.loss_series, shown.quality_series)]
        return replace(shown, redraw=False), *redraw
    curves_key = f"{job.id if job else ''}:{len(job.curves) if job else 0}:{view}"
    empty = job is None or not job.curves
    if curves_key == shown.curves_key or (empty and not shown.loss_series and not shown.quality_series):
        return replace(shown, curves_key=curves_key), gr.skip(), gr.skip()
    losses, quality = curves_frame(job, view=view), curves_frame(job, quality=True, view=view)
    after = replace(shown, curves_key=curves_key, loss_series=_series(losses), quality_series=_series(quality),
                    y_title="log10(value)" if view.log_scale else "value")
    after = replace(after, redraw=(after.loss_series, after.quality_series, after.y_title)
                    != (shown.loss_series, shown.quality_series, shown.y_title))
    # gr.update, not gr.LinePlot(...): a new component would reset the plot's x/y/colour encoding.
    return after, gr.update(value=losses), gr.update(value=quality)


def _sample_updates(state: AppState, job: TrainingJob, shown: ShownOnPage) -> tuple[str, object, object, object]:
    """(sample key, image, text, timeline): the latest sample only when it is new to this page."""
    sample_key = f"{job.id}:{job.sample_step}"
    if sample_key == shown.sample_key or job.sample_path is None:
        return shown.sample_key, gr.skip(), gr.skip(), gr.skip()
    if is_text_job(job):
        return sample_key, gr.skip(), job.sample_text, gr.Slider(visible=False)
    if not job.sample_path.is_file():
        return sample_key, gr.skip(), gr.skip(), gr.skip()
    copy = state.outputs.new_path(f"train-{job.name}", ".png")
    shutil.copyfile(job.sample_path, copy)
    # The timeline follows the newest grid; scrub it back to see the model learn.
    grids = sample_timeline(job)
    return (sample_key, gr.Image(value=copy, label=f"Fixed-seed samples at step {job.sample_step:,}"), gr.skip(),
            gr.Slider(visible=len(grids) > 1, maximum=max(len(grids) - 1, 1), value=len(grids) - 1))


def show_job(state: AppState, job_id: str | None, shown: ShownOnPage | None, smoothing=0.0, log_scale=False,
             compare_with=None, token="", admin_token="", request: gr.Request = None) -> tuple:
    """The timer's view of one job: status, curves, latest sample (only when it changed), log.
    Outputs: status, loss plot, quality plot, sample image, sample text, log, shown, timer, memory,
    timeline, stop button, resume button."""
    job = _current_job(state, job_id)
    # Others' runs are read-only here: Stop and Resume only for the owner (or an admin).
    owned = job is None or not job.owner or job.owner == owner_of(request, token) or is_admin(state, admin_token)
    buttons = (gr.Button(interactive=owned), gr.Button(interactive=owned))
    compared = state.jobs.runs_dir / compare_with if compare_with and compare_with in past_runs(state) else None
    shown, losses, quality = _plot_updates(job, CurveView(float(smoothing or 0), bool(log_scale), compared),
                                           shown or ShownOnPage())
    if job is None:
        return (status_html(state, None), losses, quality, gr.skip(), gr.skip(), "", replace(shown, sample_key=""),
                gr.Timer(active=shown.redraw), memory_text(state), gr.Slider(visible=False), *buttons)
    sample_key, image, text, timeline = _sample_updates(state, job, shown)
    # Poll only while the job can still change (or the plots wait to be redrawn): an idle page makes no requests.
    return (status_html(state, job), losses, quality, image, text, "\n".join(job.log),
            replace(shown, sample_key=sample_key), gr.Timer(active=job.active or shown.redraw), memory_text(state),
            timeline, *buttons)


def show_chosen_job(state: AppState, job_id: str | None, shown: ShownOnPage | None, smoothing, log_scale,
                    compare_with, token, admin_token, request: gr.Request = None) -> tuple:
    """Another run was chosen: everything is sent afresh (the plots keep what they were drawn with)."""
    shown = shown or ShownOnPage()
    # A redraw still owed to the last run's data is owed to this run's: no series match ("",).
    loss_series, quality_series = (("",), ()) if shown.redraw else (shown.loss_series, shown.quality_series)
    fresh = ShownOnPage(loss_series=loss_series, quality_series=quality_series, y_title=shown.y_title)
    return show_job(state, job_id, fresh, smoothing, log_scale, compare_with, token, admin_token, request)


def reattach(state: AppState, token: str, job_id: str | None, request: gr.Request = None) -> gr.Dropdown:
    """On page load: the run to watch (this browser's active one first, else any active, else the newest)."""
    jobs = state.jobs.jobs()
    owner = owner_of(request, token)
    mine = [job for job in jobs if job.owner == owner and job.active]
    chosen = mine or [job for job in jobs if job.active] or jobs
    value = job_id if _current_job(state, job_id) else (str(chosen[0].id) if chosen else None)
    return gr.Dropdown(choices=_run_choices(state), value=value)


def show_grid_at(state: AppState, job_id: str | None, position) -> gr.Image:
    """Scrub the run's saved grids: the model learning, step by step."""
    grids = sample_timeline(_current_job(state, job_id))
    if not grids:
        return gr.skip()
    chosen = grids[min(max(int(position or 0), 0), len(grids) - 1)]
    copy = state.outputs.new_path(f"timeline-{chosen.stem}", ".png")
    shutil.copyfile(chosen, copy)
    return gr.Image(value=copy, label=f"Fixed-seed samples at step {int(chosen.stem.split('_')[1]):,}")


def past_run_choices(state: AppState, current: str) -> gr.Dropdown:
    return gr.Dropdown(choices=[("(none)", ""), *past_runs(state)], value=current)


# ---- Layout and wiring ----


@dataclass
class FormFields:
    family: gr.Dropdown
    dataset: gr.Dropdown
    upload: gr.File
    image_options: gr.Row
    image_size: gr.Dropdown
    channels: gr.Dropdown
    run_name: gr.Textbox
    steps: gr.Number
    batch_size: gr.Number
    learning_rate: gr.Number
    latent_size: gr.Number
    seed: gr.Number
    sample_every: gr.Number
    save_every: gr.Number
    eval_every: gr.Number
    clusters: gr.Number
    ema_decay: gr.Number
    admin_token: gr.Textbox
    train_button: gr.Button
    stop_button: gr.Button
    resume_button: gr.Button

    def values(self) -> list:
        """The inputs of `start_training` after the owner token, in its order."""
        return [self.family, self.dataset, self.upload, self.run_name, self.steps, self.batch_size,
                self.learning_rate, self.latent_size, self.seed, self.sample_every, self.save_every,
                self.image_size, self.channels, self.eval_every, self.clusters, self.ema_decay]


@dataclass
class RunView:
    run: gr.Dropdown
    status: gr.HTML
    curves: gr.LinePlot
    quality_curves: gr.LinePlot
    sample_image: gr.Image
    sample_text: gr.Textbox
    smoothing: gr.Slider
    log_scale: gr.Checkbox
    compare: gr.Dropdown
    timeline: gr.Slider
    memory: gr.Markdown
    log: gr.Textbox


def build_form(state: AppState) -> FormFields:
    """The form, showing the first family's fields and defaults (call inside a Blocks context)."""
    family = train_tab_families()[0].name
    form = family_form(family)
    dropdown = gr.Dropdown(choices=[(record.form_label, record.name) for record in train_tab_families()],
                           value=family, label="Model family", elem_id="train-family")
    dataset = gr.Dropdown(choices=form.datasets, value=form.datasets[0], label="Dataset", elem_id="train-dataset")
    upload = gr.File(label="…or upload: a .zip of images (sub-folders are classes) or a .txt",
                     file_types=[".zip", ".txt"], type="filepath", height=90)
    with gr.Row(visible=form.image_options) as image_options:
        image_size = gr.Dropdown(choices=[28, 32, 64], value=28, label="Image size (uploads)")
        channels = gr.Dropdown(choices=[("grayscale", 1), ("RGB", 3)], value=1, label="Channels (uploads)")
    run_name = gr.Textbox(label="Run name", value=f"{family}-{uuid.uuid4().hex[:6]}", elem_id="train-run-name")
    with gr.Row():
        steps = gr.Number(label="Steps", value=form.steps, minimum=1, elem_id="train-steps")
        batch_size = gr.Number(label="Batch size", value=form.batch_size, minimum=1)
    with gr.Row():
        learning_rate = gr.Number(label="Learning rate", value=form.learning_rate, minimum=0)
        latent_size = gr.Number(label="Latent size", value=form.latent_size or 0, minimum=0,
                                visible=form.latent_size is not None)
    with gr.Row():
        seed = gr.Number(label="Seed", value=0, minimum=0)
        sample_every = gr.Number(label="Sample every N steps", value=50, minimum=1, elem_id="train-sample-every")
        save_every = gr.Number(label="Save every N steps", value=500, minimum=1)
        eval_every = gr.Number(label="Evaluate every N steps (0: off)", value=0, minimum=0, elem_id="train-eval-every",
                               info="classifier-FID for MNIST image models (best kept as <run>/best); bits/char for text")
    with gr.Row():
        clusters = gr.Number(
            label="Self-conditioning clusters (0: off)", value=form.clusters or 0, minimum=0,
            visible=form.clusters is not None, elem_id="train-clusters",
            info="k-means clusters of the training images condition both networks (Liu et al. 2020): "
                 "every digit gets its share, no labels used",
        )
        ema_decay = gr.Number(label="EMA decay (0: none)", value=form.ema_decay or 0, minimum=0, maximum=0.99999,
                              visible=form.ema_decay is not None, elem_id="train-ema",
                              info="sample from a moving average of the weights")
    with gr.Accordion("Admin", open=False, visible=state.admin_token is not None):
        admin_token = gr.Textbox(label="Admin token (may stop or resume anyone's run)", type="password")
    with gr.Row():
        train_button = gr.Button("Train", variant="primary", elem_id="train-start")
        stop_button = gr.Button("Stop", variant="stop", elem_id="train-stop")
        resume_button = gr.Button("Resume", elem_id="train-resume")
    return FormFields(dropdown, dataset, upload, image_options, image_size, channels, run_name, steps, batch_size,
                      learning_rate, latent_size, seed, sample_every, save_every, eval_every, clusters, ema_decay,
                      admin_token, train_button, stop_button, resume_button)


def build_run_view(state: AppState) -> RunView:
    """The chosen run: status, curves, samples, log (call inside a Blocks context)."""
    run = gr.Dropdown(choices=[], value=None, label="Run", elem_id="train-run")
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
        smoothing = gr.Slider(0, 0.99, value=0, step=0.01, label="Smoothing",
                              info="exponential moving average, as in TensorBoard")
        log_scale = gr.Checkbox(label="Log scale", value=False)
        compare = gr.Dropdown(choices=[("(none)", "")], value="", label="Compare with a past run",
                              allow_custom_value=False, elem_id="train-compare")
    timeline = gr.Slider(0, 1, value=0, step=1, label="Timeline: the fixed-seed grid at each sample step",
                         visible=False, elem_id="train-timeline")
    memory = gr.Markdown(elem_id="train-memory")
    log = gr.Textbox(label="Log", lines=8, max_lines=8, interactive=False, autoscroll=True, elem_id="train-log")
    return RunView(run, status, curves, quality_curves, sample_image, sample_text, smoothing, log_scale, compare,
                   timeline, memory, log)


def wire_train_tab(state: AppState, demo: gr.Blocks, form: FormFields, view: RunView) -> None:
    # Not a gr.State: that lives on the server, and the token is made and kept by the browser.
    owner_token = gr.Textbox("", visible=False)
    shown = gr.State(ShownOnPage())
    timer = gr.Timer(POLL_SECONDS, active=False)
    form.family.change(choose_family, form.family, [
        form.dataset, form.learning_rate, form.latent_size, form.steps, form.batch_size, form.image_options,
        form.run_name, form.clusters, form.ema_decay,
    ], api_visibility="private")
    form.train_button.click(bind(start_training, state), [owner_token, *form.values()], view.run,
                            api_visibility="private")
    form.stop_button.click(bind(stop_training, state), [owner_token, view.run, form.admin_token], None,
                           api_visibility="private")
    form.resume_button.click(bind(resume_training, state), [owner_token, view.run, form.steps, form.admin_token],
                             view.run, api_visibility="private")
    view.timeline.input(bind(show_grid_at, state), [view.run, view.timeline], view.sample_image,
                        api_visibility="private")
    outputs = [view.status, view.curves, view.quality_curves, view.sample_image, view.sample_text, view.log, shown,
               timer, view.memory, view.timeline, form.stop_button, form.resume_button]
    controls, viewer = [view.smoothing, view.log_scale, view.compare], [owner_token, form.admin_token]
    view.run.change(bind(show_chosen_job, state), [view.run, shown, *controls, *viewer], outputs,
                    api_visibility="private")
    view.run.change(bind(sample_widgets, state), view.run, [view.sample_image, view.sample_text],
                    api_visibility="private")
    gr.on([control.change for control in controls], bind(show_job, state), [view.run, shown, *controls, *viewer],
          outputs, api_visibility="private")
    view.compare.focus(bind(past_run_choices, state), view.compare, view.compare, api_visibility="private")
    # Status reads are cheap and must not wait behind generation requests: their own queue slot.
    timer.tick(bind(show_job, state), [view.run, shown, *controls, *viewer], outputs, api_visibility="private",
               concurrency_id="train-status", concurrency_limit=None)
    # The owner token lives in the browser's local storage, so it survives reloads of this browser only.
    demo.load(None, None, owner_token, js=OWNER_TOKEN_JS).then(
        bind(reattach, state), [owner_token, view.run], view.run, api_visibility="private"
    )


def build_train_tab(state: AppState, demo: gr.Blocks) -> None:
    """Components and events of the Train tab (call inside a `gr.Blocks` context)."""
    gr.Markdown(
        "Train a model here and watch it learn. The run continues if you close or reload the page; come back "
        "and it reattaches. Stop saves a checkpoint that **Resume** continues exactly (optimizer, step and random "
        "state included). The same run from a terminal: `python -m genai_demo train --help`."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            form = build_form(state)
        with gr.Column(scale=2):
            view = build_run_view(state)
    wire_train_tab(state, demo, form, view)
