"""The Train tab: pick a model and data, press Train, watch the curves and samples, stop, resume.

The form becomes the CLI's `train` arguments; the job manager runs them in a child process
that outlives this request. A one-second timer reads the job's state, so a reloaded page or a
second browser shows the same job (and a reloaded form the watched run's settings). Only the
browser that started a run (a token kept in its local storage) may stop or resume it. The
families, their defaults and which fields apply to each come from the family registry
(`genai_demo.families`); a named dataset this machine lacks is not offered.
"""

from __future__ import annotations

import collections
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
from genai_demo.jobs import ACTIVE_STATES, CurvePoint, TrainingJob, curves_from_metrics, dataset_problem
from genai_demo.metrics_log import METRICS_NAME, read_metrics
from genai_demo.ui.errors import inform, shown_to_user, warn
from genai_demo.ui.i18n import marked, say
from genai_demo.ui.ownership import OWNER_TOKEN_JS, is_admin, owner_of
from genai_demo.ui.state import AppState, bind

UPLOAD_CHOICE = "my upload"
POLL_SECONDS = 1.0
PLOT_HEIGHT = 300
QUALITY_SERIES = ("classifier_fid", "fid_floor", "class_accuracy", "val_bits_per_char")
NOT_PLOTTED = ("eval_seconds",)
BEST_MARKED = ("classifier_fid", "val_bits_per_char")  # lower is better; the run keeps that step as <run>/best
BEST_SERIES = "best"
PAST_RUN = " (past)"  # a compared run's series: "g_loss (past)" (the Compare dropdown names the run)
LONG_RUN_SECONDS = 10.0  # a run that ends after this long is announced with a toast
# What the quality plot shows, by the figure the run measures: (y-axis title, plot label).
QUALITY_LABELS = {
    "val_bits_per_char": ("bits per character", "Validation bits per character on held-out text (lower is better)"),
    "classifier_fid": ("classifier-FID", "Sample quality: classifier-FID, lower is better (fid_floor: real data "
                                         "against real data)"),
}
NOT_MEASURED = ("value", "Sample quality: not measured in this run (set \"Evaluate every N steps\")")
NO_RUN_YET = "No run yet: choose a model and press <b>Train</b>."
QUALITY_OFF = "sample quality not measured (set \"Evaluate every N steps\" to see it)"
# After every view update: the log follows its newest line, unless the reader scrolled up.
FOLLOW_LOG_JS = """() => {
    const follow = () => {
        const box = document.querySelector("#train-log textarea");
        if (!box) return;
        if (!box.dataset.follows) {
            box.dataset.follows = "yes";
            box.addEventListener("scroll", () => {
                box.dataset.follows = box.scrollTop + box.clientHeight >= box.scrollHeight - 8 ? "yes" : "no";
            });
        }
        if (box.dataset.follows === "yes") box.scrollTop = box.scrollHeight;
    };
    requestAnimationFrame(() => requestAnimationFrame(follow));
}"""


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

    datasets: list[str]  # the ones this machine has, then the upload choice
    datasets_info: str  # which named datasets are missing here, and how to get them
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
    """Every dataset the family knows of (whether this machine has it or not), and the upload choice."""
    return [*(TEXT_CORPORA if "corpus" in record.options else IMAGE_DATASETS), UPLOAD_CHOICE]


def offered_datasets(record: Family) -> tuple[list[str], str]:
    """(the datasets this machine has, and the upload choice; a note on the ones it lacks). A run on
    a missing one would fail only after it was queued: it is not offered, and the note says how to get it."""
    offered, missing = [], []
    for name in dataset_choices(record)[:-1]:
        problem = dataset_problem(name, text=record.is_text)
        if problem:
            missing.append(f"{name}: {say(problem)}")
        else:
            offered.append(name)
    note = say(f"Not on this machine: {'; '.join(missing)}") if missing else ""
    return [*offered, UPLOAD_CHOICE], note


def family_form(name: str) -> FamilyForm:
    record = train_family(name)
    defaults = record.defaults

    def field(option: str, default):
        return (default or 0) if option in record.options else None

    datasets, datasets_info = offered_datasets(record)
    return FamilyForm(datasets, datasets_info, defaults.learning_rate, defaults.steps, defaults.batch_size,
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
    """On ZeroGPU a run trains in GPU slices that spend the Space's GPU quota: one run is capped."""
    if state.max_train_steps and steps and float(steps) > state.max_train_steps:
        raise InvalidInputError(
            f"this Space trains at most {state.max_train_steps:,} steps a run (on ZeroGPU each slice of a run "
            "spends the Space's GPU quota): train longer runs locally or on a GPU box"
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
        return f"<div id='train-status-text'>{say(NO_RUN_YET)}</div>"
    total = max(job.total_steps, 1)
    parts = [f"<b>{html.escape(job.name)}</b> ({html.escape(job.model)}): <b>{say(job.state)}</b>"]
    position = state.jobs.queue_position(job)
    if position is not None:
        parts.append(say(f"waiting, position {position} in the queue"))
    if job.total_steps:
        parts.append(say(f"step {job.step:,} / {job.total_steps:,}"))
    if job.state == "running" and job.samples_per_second:
        parts.append(say(f"{job.samples_per_second:,.0f} samples/s · {job.steps_per_second:.1f} steps/s · "
                         f"ETA {_duration(job.eta_seconds())}"))
    for metric in BEST_MARKED:
        measured = [point for point in job.curves if point.series == metric]
        if measured:
            best = min(measured, key=lambda point: point.value)
            parts.append(say(f"best {QUALITY_LABELS[metric][0]} {best.value:.4g} at step {best.step:,} "
                             f"(kept as {html.escape(job.name)}/best)"))
    if not _planned_curves(job)[1] and not any(_figure(point.series) in QUALITY_SERIES for point in job.curves):
        parts.append(html.escape(say(QUALITY_OFF)))
    bar = f"<progress value='{min(job.step, total)}' max='{total}' style='width:100%'></progress>"
    detail = html.escape(say(job.message))
    record = FAMILIES.get(job.model)
    if job.state == "finished" and record is not None and record.tab:
        detail += " " + say(f"Pick <b>{html.escape(job.name)}</b> in the {say(record.tab.capitalize())} tab to use it.")
    return f"<div id='train-status-text'>{' · '.join(parts)}{bar}<div>{detail}</div></div>"


def memory_text(state: AppState) -> str:
    figures = state.jobs.memory_in_use()
    parts = [say(f"Memory: app {figures['app_mb']:,.0f} MB")]
    if figures["training_cuda_mb"]:
        parts.append(say(f"training process {figures['training_mb']:,.0f} MB and {figures['training_cuda_mb']:,.0f} "
                         "MB of CUDA memory reserved (given back when the run ends)"))
    elif figures["training_mb"]:
        parts.append(say(f"training process {figures['training_mb']:,.0f} MB (given back when the run ends)"))
    else:
        parts.append(say("no training process"))
    if "cuda_allocated_mb" in figures:
        parts.append(say(f"CUDA in this app: {figures['cuda_allocated_mb']:,.0f} MB allocated, "
                         f"{figures['cuda_reserved_mb']:,.0f} MB reserved"))
    return " · ".join(parts)


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


def _figure(series: str) -> str:
    """The figure a series plots: "g_loss (past)" plots g_loss."""
    return series.removesuffix(PAST_RUN)


def _planned_curves(job: TrainingJob) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        return job.planned_curves()
    except InvalidInputError:  # a job whose arguments no longer parse (never one started here)
        return (), ()


def planned_series(job: TrainingJob | None, quality: bool = False) -> tuple[str, ...]:
    """The series the run will draw on the loss plot (or the quality plot, with its best marker),
    known before it has logged a point; none once it has ended (what it logged is all there is)."""
    if job is None or not job.active:
        return ()
    losses, figures = _planned_curves(job)
    if not quality:
        return losses
    return figures + ((BEST_SERIES,) if set(figures) & set(BEST_MARKED) else ())


def curves_frame(job: TrainingJob | None, quality: bool = False, view: CurveView | None = None) -> pd.DataFrame:
    """The job's loss curves, or (quality=True) its quality figures: they have other scales.

    A series the run will log but has not yet gets one row without a value (NaN: Vega draws
    nothing for it, but the legend lists it). A plot's colours are fixed when it is drawn, so
    its data holds every series the run will log from the start (see `_plot_updates`).
    A loss logged once so far is the mean of the steps up to it: drawn level from step 0 (Vega
    draws no line through a single point, and a slow run logs its second point much later)."""
    view = view or CurveView()
    points = list(job.curves) if job is not None else []
    if view.compare_with is not None:
        past = curves_from_metrics(read_metrics(view.compare_with))
        points += [CurvePoint(point.step, point.series + PAST_RUN, point.value) for point in past]
    points = [point for point in points
              if (_figure(point.series) in QUALITY_SERIES) == quality and _figure(point.series) not in NOT_PLOTTED]
    points = _smoothed(points, view.smoothing)
    if view.log_scale:
        points = [CurvePoint(point.step, point.series, math.log10(max(point.value, 1e-12))) for point in points]
    if quality:
        points += _best_marker(points)
    else:
        counts = collections.Counter(point.series for point in points)
        points += [CurvePoint(0, point.series, point.value) for point in points
                   if counts[point.series] == 1 and point.step > 0]
    drawn = {point.series for point in points}
    points += [CurvePoint(0, series, math.nan) for series in planned_series(job, quality) if series not in drawn]
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
            if low == high:  # one figure so far: no line to see but this marker, so give it a length
                low, high = low - (abs(low) * 0.05 or 1.0), high + (abs(high) * 0.05 or 1.0)
            return [CurvePoint(best.step, BEST_SERIES, low), CurvePoint(best.step, BEST_SERIES, high)]
    return []


def quality_meaning(series: tuple[str, ...] | set[str]) -> tuple[str, str]:
    """(y-axis title, plot label) of the quality plot, from the figures it shows: bits per character
    for a text run, classifier-FID for an image run, or a note that the run measures nothing."""
    figures = {_figure(name) for name in series}
    return next((labels for figure, labels in QUALITY_LABELS.items() if figure in figures), NOT_MEASURED)


def past_runs(state: AppState) -> list[str]:
    """Run folders with curves on disk, for the comparison dropdown."""
    if not state.jobs.runs_dir.is_dir():
        return []
    return sorted(folder.name for folder in state.jobs.runs_dir.iterdir() if (folder / METRICS_NAME).is_file())


def _run_choices(state: AppState) -> list[tuple[str, str]]:
    """The Run dropdown's choices: every run with its state now (sent again whenever a state changes)."""
    return [(f"#{job.id} {job.name} · {job.model} · {say(job.state)}", str(job.id)) for job in state.jobs.jobs()]


def _current_job(state: AppState, job_id: str | None) -> TrainingJob | None:
    if job_id:
        try:
            return state.jobs.get(job_id)
        except InvalidInputError:
            return None
    return None


LOSS_TITLE = "loss"
LOSSES_LABEL = "Losses"


@dataclass(frozen=True)
class PlotShown:
    """What one plot's Vega view was drawn for (or its data was last sent with)."""

    series: tuple[str, ...] = ()  # its colour domain: every series in the data, with points or not yet
    with_points: tuple[str, ...] = ()  # the series that have points
    y_title: str = ""
    label_width: int = 0  # characters of the widest y-axis label it was laid out for
    title: str = ""  # drawn inside the plot (as Gradio's label above it, the legend would be cut off)
    visible: bool = False  # a plot with nothing to draw is hidden (Vega lays out an empty one badly)

    def redrawn_for(self, data: PlotShown) -> bool:
        """Whether data that would look like `data` needs the view drawn afresh: new series or axis
        title (see _plot_updates), the first points of a series, or y-axis labels wider than the
        axis was laid out for (Vega cuts them off)."""
        return ((data.series, data.with_points, data.y_title, data.title)
                != (self.series, self.with_points, self.y_title, self.title) or data.label_width > self.label_width)


@dataclass(frozen=True)
class ShownOnPage:
    """What one page already shows, so an unchanged plot, grid or log is not sent again (a Vega plot
    redrawn every second on a busy CPU never finishes drawing). Kept per browser tab in a gr.State."""

    sample_key: str = ""  # "<job id>:<sample step>"
    curves_key: str = ""  # "<job id>:<points>:<view>"
    losses: PlotShown = PlotShown(y_title=LOSS_TITLE, title=LOSSES_LABEL)
    quality: PlotShown = PlotShown(y_title=NOT_MEASURED[0], title=NOT_MEASURED[1])
    # Which plots were sent data they must be drawn afresh for (the next call does it, see _plot_updates).
    redraw: tuple[bool, bool] = (False, False)
    log_key: str = ""  # "<job id>:<lines logged>"
    run_labels: tuple[str, ...] = ()  # the Run dropdown's labels as last sent
    watched: str = ""  # "<job id>:<state>" when last shown: a run this page saw active gets a toast when it ends


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


def _form_updates(family: str, form: FamilyForm, values: dict) -> tuple:
    """The form for `family` with `values` (a run's settings, or the family's defaults), only the
    fields that apply to it shown, and a fresh run name. Outputs, in order: see FormFields.family_outputs."""
    dataset = values.get("dataset")
    return (gr.Dropdown(choices=form.datasets, value=dataset if dataset in form.datasets else form.datasets[0],
                        info=form.datasets_info or None),
            values["learning_rate"],
            gr.Number(value=values["latent_size"] or 0, visible=form.latent_size is not None),
            values["steps"], values["batch_size"], gr.Row(visible=form.image_options), f"{family}-{uuid.uuid4().hex[:6]}",
            gr.Number(value=values["clusters"] or 0, visible=form.clusters is not None),
            gr.Number(value=values["ema_decay"] or 0, visible=form.ema_decay is not None))


def choose_family(family: str) -> tuple:
    """The form for another family: its datasets and defaults, only the fields that apply, a fresh run name.
    Outputs: dataset, learning rate, latent size, steps, batch size, image options, run name, clusters, EMA decay."""
    form = family_form(family)
    return _form_updates(family, form, {"learning_rate": form.learning_rate, "latent_size": form.latent_size,
                                        "steps": form.steps, "batch_size": form.batch_size,
                                        "clusters": form.clusters, "ema_decay": form.ema_decay})


def settings_of_run(state: AppState, job_id: str | None) -> tuple:
    """On page load: the form shows the watched run's settings (with a fresh run name), not the first
    family's defaults, so Train and Resume start from what is being watched. With no run to watch,
    the form's first family stays, with the note on the datasets this machine lacks (a note of this
    machine, written when the page is read rather than into the page's definition).
    Outputs: family, then choose_family's, then seed, sample every, save every, evaluate every."""
    job = _current_job(state, job_id)
    try:
        arguments = job.arguments if job is not None else None
        form = family_form(job.model) if job is not None else None
    except InvalidInputError:
        arguments = None
    if arguments is None:
        first = family_form(train_tab_families()[0].name)
        dataset = gr.Dropdown(choices=first.datasets, value=first.datasets[0], info=first.datasets_info or None)
        return gr.skip(), dataset, *(gr.skip() for _ in range(12))
    dataset = arguments.corpus if "corpus" in FAMILIES[job.model].options else arguments.dataset
    if dataset not in dataset_choices(FAMILIES[job.model]):
        dataset = UPLOAD_CHOICE  # a kept upload (the file itself must be chosen again)
    values = {"dataset": dataset, "learning_rate": arguments.lr or form.learning_rate,
              "latent_size": getattr(arguments, "latent_dim", None) or form.latent_size,
              "steps": arguments.max_steps or form.steps, "batch_size": arguments.batch_size or form.batch_size,
              "clusters": getattr(arguments, "clusters", None), "ema_decay": getattr(arguments, "ema_decay", None)}
    return (job.model, *_form_updates(job.model, form, values), arguments.seed, arguments.sample_every,
            arguments.save_every, arguments.eval_every or 0)


def _series(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(set(frame["series"])))


def _label_width(values: pd.Series) -> int:
    """About how many characters the y-axis labels of these values take: the extremes, with as many
    decimals as ticks about a fifth of the range apart would show."""
    if values.empty:
        return 0
    low, high = float(values.min()), float(values.max())
    tick = (high - low) / 5 or abs(high) or 1.0
    decimals = max(0, -math.floor(math.log10(tick)))
    return max(len(f"{value:,.{decimals}f}") for value in (low, high))


def _plot_shown(frame: pd.DataFrame, y_title: str, title: str) -> PlotShown:
    values = frame.dropna(subset=["value"])
    return PlotShown(_series(frame), _series(values), y_title, _label_width(values["value"]), title)


def _drawing(plot: PlotShown) -> dict:
    """The properties a plot's view is drawn with; the title in the reader's language (the frontend
    translates a marked string)."""
    return {"colors_in_legend": list(plot.series), "x_title": say("step"), "y_title": say(plot.y_title),
            "title": marked(plot.title)}


def _redraw(plot: PlotShown) -> object:
    # colors_in_legend is sent even when unchanged: any value of it makes the plot draw its view afresh.
    return gr.update(**_drawing(plot))


def _plot_updates(job: TrainingJob | None, view: CurveView, shown: ShownOnPage) -> tuple[ShownOnPage, object, object]:
    """(what the page shows after, loss plot, quality plot): a plot only when its points or view changed.

    Gradio's plot swaps new data into the Vega view it drew, which keeps the colour domain and axis
    titles it was drawn with: the lines of a series new to the view get no colour and are invisible.
    Changing a drawing property (`colors_in_legend`, `y_title`) draws the view afresh, but Gradio
    applies an update's `value` after its other properties, so a view redrawn in the same update as
    its new data is drawn from the old data. So new series or a new axis go out in two calls: the
    data, then the properties that redraw it (`redraw_plots`: chained at once after a run or a view
    was chosen, else at the next poll). A run's data lists every series it will log from the start
    (`curves_frame`), so while it trains new points need no redraw; a plot that appears is drawn
    with its data and properties in one update (Gradio shows it after setting the rest)."""
    if any(shown.redraw):
        *redrawn, shown = redraw_plots(shown)
        return shown, *redrawn
    curves_key = f"{job.id if job else ''}:{len(job.curves) if job else 0}:{view}"
    if curves_key == shown.curves_key or (job is None and not shown.losses.series and not shown.quality.series):
        return replace(shown, curves_key=curves_key), gr.skip(), gr.skip()
    losses, quality = curves_frame(job, view=view), curves_frame(job, quality=True, view=view)
    quality_title, quality_label = quality_meaning(_series(quality))
    scale = "log10({})" if view.log_scale else "{}"
    plots, redraw, updates = [], [], []
    for before, frame, y_title, title in ((shown.losses, losses, LOSS_TITLE, LOSSES_LABEL),
                                          (shown.quality, quality, quality_title, quality_label)):
        data = replace(_plot_shown(frame, scale.format(y_title), title), visible=not frame.empty)
        shown_now = data.visible and not before.visible  # drawn afresh as it appears, with all of this call
        owed = data.visible and not shown_now and before.redrawn_for(data)
        # Not redrawn, the view keeps the layout it was drawn with: labels as wide as then still fit.
        kept_layout = replace(data, label_width=max(data.label_width, before.label_width))
        plots.append(data if owed or shown_now else kept_layout)
        redraw.append(owed)
        # gr.update, not gr.LinePlot(...): a new component would reset the plot's x/y/colour encoding.
        if shown_now:  # Gradio sets `visible` after the rest: the view is drawn with this data and these properties
            updates.append(gr.update(value=frame, visible=True, **_drawing(data)))
        elif data.visible:
            updates.append(gr.update(value=frame))
        else:
            updates.append(gr.update(value=frame, visible=False) if before.visible else gr.skip())
    after = replace(shown, curves_key=curves_key, losses=plots[0], quality=plots[1], redraw=tuple(redraw))
    return after, *updates


def _sample_updates(state: AppState, job: TrainingJob, shown: ShownOnPage) -> tuple[str, object, object, object]:
    """(sample key, image, text, timeline), sent only when they changed. For a run new to the page,
    all of them: its kind of sample (a text box or the image grid; none of the last run's), its
    newest sample and a timeline of its own grids."""
    sample_key = f"{job.id}:{job.sample_step}"
    if sample_key == shown.sample_key:
        return shown.sample_key, gr.skip(), gr.skip(), gr.skip()
    new_run = shown.sample_key.partition(":")[0] != str(job.id)
    if is_text_job(job):
        return (sample_key, gr.Image(value=None, visible=False), gr.Textbox(value=job.sample_text, visible=True),
                gr.Slider(visible=False))
    grids = sample_timeline(job)
    newest = job.sample_path if job.sample_path is not None and job.sample_path.is_file() else None
    if newest is None and not new_run:
        return shown.sample_key, gr.skip(), gr.skip(), gr.skip()  # the grid is not written yet: look again
    newest = newest or (grids[-1] if grids else None)  # a resumed run shows its last grid until it samples
    text = gr.Textbox(value="", visible=False) if new_run else gr.skip()
    # The timeline follows the newest grid; scrub it back to see the model learn.
    timeline = gr.Slider(visible=len(grids) > 1, maximum=max(len(grids) - 1, 1), value=max(len(grids) - 1, 0))
    if newest is None:
        return sample_key, gr.Image(value=None, visible=True, label=say("Fixed-seed samples")), text, timeline
    copy = state.outputs.new_path(f"train-{job.name}", ".png")
    shutil.copyfile(newest, copy)
    step = int(newest.stem.split("_")[1]) if newest.stem.startswith("step_") else job.sample_step
    return (sample_key, gr.Image(value=copy, visible=True, label=say(f"Fixed-seed samples at step {step:,}")), text,
            timeline)


def _run_label_update(state: AppState, shown: ShownOnPage) -> tuple[tuple[str, ...], object]:
    """(labels, Run dropdown update): the runs' choices again whenever a state in their labels changed."""
    choices = _run_choices(state)
    labels = tuple(label for label, _ in choices)
    return labels, (gr.skip() if labels == shown.run_labels else gr.Dropdown(choices=choices))


def _announce_end(job: TrainingJob, shown: ShownOnPage) -> str:
    """A toast when a run this page saw active has ended (a failure always; a finished or stopped
    run after LONG_RUN_SECONDS); returns what the page now knows of it ("<job id>:<state>")."""
    seen_id, _, seen_state = shown.watched.partition(":")
    if seen_id == str(job.id) and seen_state in ACTIVE_STATES and not job.active:
        lasted = (job.ended_at or 0) - (job.started_at or job.submitted_at)
        if job.state == "failed":
            warn(f"{job.name}: {say(job.message)}")
        elif lasted >= LONG_RUN_SECONDS:
            inform(f"{job.name}: {say(job.message)}")
    return f"{job.id}:{job.state}"


def show_job(state: AppState, job_id: str | None, shown: ShownOnPage | None, smoothing=0.0, log_scale=False,
             compare_with=None, token="", admin_token="", request: gr.Request = None) -> tuple:
    """The timer's view of one job: status, curves, latest sample, log, the runs' labels (each only
    when it changed). Outputs: status, loss plot, quality plot, sample image, sample text, log, shown,
    timer, memory, timeline, stop button, resume button, run dropdown."""
    job = _current_job(state, job_id)
    # Others' runs are read-only here: Stop and Resume only for the owner (or an admin).
    owned = job is None or not job.owner or job.owner == owner_of(request, token) or is_admin(state, admin_token)
    buttons = (gr.Button(interactive=owned), gr.Button(interactive=owned))
    compared = state.jobs.runs_dir / compare_with if compare_with and compare_with in past_runs(state) else None
    shown, losses, quality = _plot_updates(job, CurveView(float(smoothing or 0), bool(log_scale), compared),
                                           shown or ShownOnPage())
    run_labels, run = _run_label_update(state, shown)
    shown = replace(shown, run_labels=run_labels)
    if job is None:
        return (status_html(state, None), losses, quality, gr.skip(), gr.skip(), "",
                replace(shown, sample_key="", log_key="", watched=""), gr.Timer(active=any(shown.redraw)),
                memory_text(state), gr.Slider(visible=False), *buttons, run)
    sample_key, image, text, timeline = _sample_updates(state, job, shown)
    log_key = f"{job.id}:{job.lines_logged}"
    log = "\n".join(job.log) if log_key != shown.log_key else gr.skip()
    shown = replace(shown, sample_key=sample_key, log_key=log_key, watched=_announce_end(job, shown))
    # Poll only while the job can still change (or the plots wait to be redrawn): an idle page makes no requests.
    return (status_html(state, job), losses, quality, image, text, log, shown,
            gr.Timer(active=job.active or any(shown.redraw)), memory_text(state), timeline, *buttons, run)


def show_chosen_job(state: AppState, job_id: str | None, shown: ShownOnPage | None, smoothing, log_scale,
                    compare_with, token, admin_token, request: gr.Request = None) -> tuple:
    """Another run was chosen: everything is sent afresh (the plots keep what they were drawn with)."""
    shown = shown or ShownOnPage()
    # A redraw still owed to the last run's data is owed to this run's: no series match ("",).
    losses, quality = (replace(plot, series=("",)) if owed else plot
                       for plot, owed in zip((shown.losses, shown.quality), shown.redraw))
    fresh = ShownOnPage(losses=losses, quality=quality, run_labels=shown.run_labels)
    return show_job(state, job_id, fresh, smoothing, log_scale, compare_with, token, admin_token, request)


def redraw_plots(shown: ShownOnPage | None) -> tuple:
    """Right after a run or a view was chosen: the plots drawn afresh for the data just sent (new
    series, a new axis), one round trip later instead of one poll later. Outputs: loss plot, quality
    plot, shown."""
    shown = shown or ShownOnPage()
    if not any(shown.redraw):
        return gr.skip(), gr.skip(), shown
    redrawn = [_redraw(plot) if owed else gr.skip() for plot, owed in zip((shown.losses, shown.quality), shown.redraw)]
    return *redrawn, replace(shown, redraw=(False, False))


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
    return gr.Image(value=copy, label=say(f"Fixed-seed samples at step {int(chosen.stem.split('_')[1]):,}"))


def past_run_choices(state: AppState, current: str) -> gr.Dropdown:
    return gr.Dropdown(choices=[(say("(none)"), ""), *past_runs(state)], value=current)


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

    def family_outputs(self) -> list:
        """The outputs of `choose_family`, in its order."""
        return [self.dataset, self.learning_rate, self.latent_size, self.steps, self.batch_size, self.image_options,
                self.run_name, self.clusters, self.ema_decay]

    def settings_outputs(self) -> list:
        """The outputs of `settings_of_run`, in its order."""
        return [self.family, *self.family_outputs(), self.seed, self.sample_every, self.save_every, self.eval_every]


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
    # The note on datasets this machine lacks comes with the page's load (settings_of_run).
    dataset = gr.Dropdown(choices=form.datasets, value=form.datasets[0], label="Dataset", elem_id="train-dataset")
    upload = gr.File(label="…or upload: a .zip of images (sub-folders are classes) or a .txt",
                     file_types=[".zip", ".txt"], type="filepath", height=90)
    with gr.Row(visible=form.image_options) as image_options:
        image_size = gr.Dropdown(choices=[28, 32, 64], value=28, label="Image size (uploads)")
        channels = gr.Dropdown(choices=[("grayscale", 1), ("RGB", 3)], value=1, label="Channels (uploads)")
    run_name = gr.Textbox(label="Run name", value=f"{family}-{uuid.uuid4().hex[:6]}", elem_id="train-run-name")
    with gr.Row():
        steps = gr.Number(label="Steps", value=form.steps, minimum=1, elem_id="train-steps")
        batch_size = gr.Number(label="Batch size", value=form.batch_size, minimum=1, elem_id="train-batch-size")
    with gr.Row():
        learning_rate = gr.Number(label="Learning rate", value=form.learning_rate, minimum=0, elem_id="train-lr")
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
    # One plot above the other, each as wide as the column: side by side a compared run's series did not
    # fit in the legend. Their titles are drawn inside (Vega fits the plot to the block, but not Gradio's
    # label above it: the legend below was cut off).
    curves = gr.LinePlot(curves_frame(None), x="step", y="value", color="series", color_title="", label=LOSSES_LABEL,
                         show_label=False, title=marked(LOSSES_LABEL), y_title=LOSS_TITLE, height=PLOT_HEIGHT,
                         visible=False, elem_id="train-plot")
    quality_curves = gr.LinePlot(curves_frame(None, quality=True), x="step", y="value", color="series",
                                 color_title="", label="Sample quality", show_label=False, title=marked(NOT_MEASURED[1]),
                                 y_title=NOT_MEASURED[0], height=PLOT_HEIGHT, visible=False,
                                 elem_id="train-quality-plot")
    with gr.Row():
        smoothing = gr.Slider(0, 0.99, value=0, step=0.01, label="Smoothing",
                              info="exponential moving average, as in TensorBoard")
        log_scale = gr.Checkbox(label="Log scale", value=False)
        compare = gr.Dropdown(choices=[("(none)", "")], value="", label="Compare with a past run",
                              info="its series are marked (past)", allow_custom_value=False, elem_id="train-compare")
    with gr.Row():
        sample_image = gr.Image(label="Fixed-seed samples", type="filepath", interactive=False,
                                elem_id="train-sample", height=260)
        sample_text = gr.Textbox(label="Text sample", lines=10, interactive=False, elem_id="train-sample-text",
                                 visible=False)
    timeline = gr.Slider(0, 1, value=0, step=1, label="Timeline: the fixed-seed grid at each sample step",
                         visible=False, elem_id="train-timeline")
    memory = gr.Markdown(elem_id="train-memory")
    log = gr.Textbox(label="Log", lines=8, max_lines=8, interactive=False, elem_id="train-log")
    return RunView(run, status, curves, quality_curves, sample_image, sample_text, smoothing, log_scale, compare,
                   timeline, memory, log)


def wire_train_tab(state: AppState, demo: gr.Blocks, form: FormFields, view: RunView) -> None:
    # Not a gr.State: that lives on the server, and the token is made and kept by the browser.
    owner_token = gr.Textbox("", visible=False)
    shown = gr.State(ShownOnPage())
    timer = gr.Timer(POLL_SECONDS, active=False)
    # .input, not .change: the form filled in from a run (settings_of_run) keeps that run's settings.
    form.family.input(choose_family, form.family, form.family_outputs(), api_visibility="private")
    form.train_button.click(bind(start_training, state), [owner_token, *form.values()], view.run,
                            api_visibility="private")
    form.stop_button.click(bind(stop_training, state), [owner_token, view.run, form.admin_token], None,
                           api_visibility="private")
    form.resume_button.click(bind(resume_training, state), [owner_token, view.run, form.steps, form.admin_token],
                             view.run, api_visibility="private")
    view.timeline.input(bind(show_grid_at, state), [view.run, view.timeline], view.sample_image,
                        api_visibility="private")
    outputs = [view.status, view.curves, view.quality_curves, view.sample_image, view.sample_text, view.log, shown,
               timer, view.memory, view.timeline, form.stop_button, form.resume_button, view.run]
    controls, viewer = [view.smoothing, view.log_scale, view.compare], [owner_token, form.admin_token]
    # After each view update the log shows its newest line (Gradio's autoscroll follows only the first),
    # and the plots are drawn afresh at once where the run or the view changed what they draw.
    redraw = [view.curves, view.quality_curves, shown]
    view.run.change(bind(show_chosen_job, state), [view.run, shown, *controls, *viewer], outputs,
                    show_progress="minimal", api_visibility="private").then(
        redraw_plots, shown, redraw, show_progress="hidden", api_visibility="private").then(None, js=FOLLOW_LOG_JS)
    gr.on([control.change for control in controls], bind(show_job, state), [view.run, shown, *controls, *viewer],
          outputs, show_progress="minimal", api_visibility="private").then(
        redraw_plots, shown, redraw, show_progress="hidden", api_visibility="private")
    view.compare.focus(bind(past_run_choices, state), view.compare, view.compare, api_visibility="private")
    # Status reads are cheap and must not wait behind generation requests: their own queue slot.
    timer.tick(bind(show_job, state), [view.run, shown, *controls, *viewer], outputs, api_visibility="private",
               concurrency_id="train-status", concurrency_limit=None).then(None, js=FOLLOW_LOG_JS)
    # The owner token lives in the browser's local storage, so it survives reloads of this browser only.
    # Then the run to watch, and the form with its settings.
    demo.load(None, None, owner_token, js=OWNER_TOKEN_JS).then(
        bind(reattach, state), [owner_token, view.run], view.run, api_visibility="private"
    ).then(bind(settings_of_run, state), view.run, form.settings_outputs(), api_visibility="private")


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
