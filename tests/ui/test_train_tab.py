"""The Train tab's handlers, called directly: the form becomes `train` arguments with only the flags
that apply to the family, bad input is a clear message, uploads are kept, and the run view sends
a plot or a grid only when it changed."""

import html
import zipfile
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
import torch

from genai_demo.errors import InvalidInputError
from genai_demo.families import FAMILIES, train_tab_families
from genai_demo.jobs import CurvePoint, TrainingJob, dataset_problem
from genai_demo.metrics_log import MetricsLog
from genai_demo.train_args import parse_train_args
from genai_demo.ui.i18n import marked
from genai_demo.ui.ownership import is_admin, owner_of
from genai_demo.ui.state import AppState
from genai_demo.ui.train import (
    LONG_RUN_SECONDS,
    QUALITY_LABELS,
    QUALITY_OFF,
    UPLOAD_CHOICE,
    CurveView,
    PlotShown,
    ShownOnPage,
    TrainForm,
    check_step_cap,
    choose_family,
    curves_frame,
    family_form,
    quality_meaning,
    reattach,
    redraw_plots,
    resume_training,
    sample_timeline,
    settings_of_run,
    show_chosen_job,
    show_job,
    start_training,
    status_html,
    stop_training,
    train_arguments,
)

FORM = dict(steps=300, batch_size=32, learning_rate=2e-4, latent_size=64, seed=3, sample_every=25, save_every=100,
            image_size=28, channels=1)
# Flags every family takes (the rest are in Family.options); "--device" is added by the tab.
COMMON_FLAGS = {"--max-steps", "--batch-size", "--lr", "--seed", "--sample-every", "--save-every", "--log-every",
                "--eval-every"}


def parsed(arguments, tmp_path):
    return parse_train_args([*arguments, "--out", str(tmp_path / "run")])


def flags(arguments):
    return {item for item in arguments if item.startswith("--")}


def test_an_image_form_is_the_cli_command(tmp_path):
    args = parsed(train_arguments(TrainForm("dcgan", "fashion-mnist", **FORM), tmp_path), tmp_path)
    assert (args.model, args.dataset, args.max_steps, args.batch_size, args.seed) == ("dcgan", "fashion-mnist", 300, 32, 3)
    assert (args.latent_dim, args.sample_every, args.save_every, args.lr) == (64, 25, 100, 2e-4)
    assert args.log_every == 3  # about a hundred points on the curve


@pytest.mark.parametrize("record", train_tab_families(), ids=lambda record: record.name)
def test_each_family_is_sent_only_the_flags_that_apply_and_the_parser_accepts_them(record, tmp_path):
    """Every field filled in, as a user could leave hidden ones: nothing that does not apply goes out."""
    dataset = family_form(record.name).datasets[0]
    form = TrainForm(record.name, dataset, **FORM, eval_every=50, clusters=10, ema_decay=0.99)
    arguments = train_arguments(form, tmp_path)
    allowed = COMMON_FLAGS | {f"--{option}" for option in record.options}
    assert flags(arguments) <= allowed, flags(arguments) - allowed
    assert parsed(arguments, tmp_path).model == record.name


@pytest.mark.parametrize("record", train_tab_families(), ids=lambda record: record.name)
def test_the_form_shows_a_field_exactly_when_its_flag_applies_with_the_registry_defaults(record):
    form = family_form(record.name)
    defaults = record.defaults
    assert (form.learning_rate, form.steps, form.batch_size) == (defaults.learning_rate, defaults.steps, defaults.batch_size)
    for option, value, default in (("latent-dim", form.latent_size, defaults.latent_dim),
                                   ("clusters", form.clusters, defaults.clusters),
                                   ("ema-decay", form.ema_decay, defaults.ema_decay)):
        assert (value is not None) == (option in record.options), option
        if value is not None:
            assert value == (default or 0), option
    assert form.image_options == ("image-size" in record.options)
    assert form.datasets[-1] == UPLOAD_CHOICE and (form.datasets[0] == "python-code") == record.is_text


def test_the_family_list_is_the_registrys_train_tab_families():
    # The classifier is trained from the CLI only; the Hub causal LM has no trainer.
    assert [record.name for record in train_tab_families()] == [
        name for name, record in FAMILIES.items() if record.trainer and record.in_train_tab]
    assert "classifier" not in [record.name for record in train_tab_families()]
    with pytest.raises(InvalidInputError, match="choose a model family"):
        family_form("classifier")


def test_choosing_a_family_updates_the_form():
    dataset, learning_rate, latent, steps, batch, image_row, run_name, clusters, ema = choose_family("dcgan")
    # Fashion-MNIST is offered exactly when this machine has it (Debian's dataset-fashion-mnist).
    here = dataset_problem("fashion-mnist", text=False) is None
    assert dataset.value == "mnist" and ("fashion-mnist" in [choice[0] for choice in dataset.choices]) == here
    assert (learning_rate, steps, batch) == (2e-4, 2000, 64)
    assert (latent.visible, latent.value, image_row.visible) == (True, 100, True)
    assert (clusters.visible, clusters.value, ema.visible, ema.value) == (True, 50, True, 0.999)  # the shipped recipe
    assert run_name.startswith("dcgan-")
    dataset, learning_rate, latent, steps, batch, image_row, run_name, clusters, ema = choose_family("char-lstm")
    assert dataset.value == "python-code" and [choice[0] for choice in dataset.choices][-1] == UPLOAD_CHOICE
    assert (learning_rate, steps, batch) == (2e-3, 1000, 32)
    assert not any(component.visible for component in (latent, image_row, clusters, ema))


def test_the_shipped_recipes_self_conditioning_and_ema(tmp_path):
    recipe = family_form("dcgan")
    dcgan = parsed(train_arguments(TrainForm("dcgan", "mnist", **FORM, clusters=recipe.clusters,
                                             ema_decay=recipe.ema_decay), tmp_path), tmp_path)
    assert (dcgan.clusters, dcgan.ema_decay) == (50, 0.999)  # checkpoints/dcgan-mnist's command
    plain = parsed(train_arguments(TrainForm("dcgan", "mnist", **FORM, clusters=0, ema_decay=0), tmp_path), tmp_path)
    assert plain.clusters is None and not plain.ema_decay  # 0 is "no averaging"
    # Clusters are a DCGAN option only; 0 EMA decay on a DDPM is passed on, else its default 0.999 would apply.
    vae = train_arguments(TrainForm("vae", "mnist", **FORM, clusters=50, ema_decay=0.999), tmp_path)
    assert "--clusters" not in vae and vae[vae.index("--ema-decay") + 1] == "0.999"
    ddpm = train_arguments(TrainForm("ddpm", "mnist", **FORM, clusters=0, ema_decay=0), tmp_path)
    assert ddpm[ddpm.index("--ema-decay") + 1] == "0.0"
    assert "--ema-decay" not in train_arguments(TrainForm("mlp-gan", "mnist", **FORM, ema_decay=0), tmp_path)


def test_a_text_form_trains_on_a_corpus_without_image_settings(tmp_path):
    arguments = train_arguments(TrainForm("tiny-gpt", "tang-poems", **FORM, clusters=50, ema_decay=0.999), tmp_path)
    args = parsed(arguments, tmp_path)
    assert (args.corpus, args.latent_dim, args.max_steps) == ("tang-poems", None, 300)
    assert not flags(arguments) & {"--image-size", "--channels", "--epochs", "--latent-dim", "--ema-decay", "--dataset"}


def test_an_upload_is_kept_where_a_resume_finds_it(tmp_path):
    upload = tmp_path / "gradio-temp" / "my digits.zip"
    upload.parent.mkdir()
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("a.png", b"not really a png")
    arguments = train_arguments(TrainForm("vae", UPLOAD_CHOICE, str(upload), **FORM), tmp_path / "uploads")
    kept = arguments[arguments.index("--dataset") + 1]
    assert kept.startswith(str(tmp_path / "uploads")) and kept.endswith(".zip")
    upload.unlink()
    assert zipfile.ZipFile(kept).namelist() == ["a.png"]


@pytest.mark.parametrize(
    "family, dataset, upload, change, message",
    [
        ("dcgan", UPLOAD_CHOICE, None, {}, "choose a file to upload first"),
        ("dcgan", UPLOAD_CHOICE, "notes.txt", {}, "trains on a .zip of PNG/JPEG images, not 'notes.txt'"),
        ("char-lstm", UPLOAD_CHOICE, "digits.zip", {}, "trains on a UTF-8 .txt file"),
        ("dcgan", "python-code", None, {}, "'python-code' is not a dataset for DCGAN"),
        ("gan-9000", "mnist", None, {}, "choose a model family"),
        ("dcgan", "mnist", None, {"steps": 2.5}, "steps must be a whole number"),
        ("dcgan", "mnist", None, {"batch_size": None}, "batch size must be a whole number"),
    ],
)
def test_bad_form_input_is_a_clear_message(tmp_path, family, dataset, upload, change, message):
    if upload:
        (tmp_path / upload).write_bytes(b"x")
        upload = str(tmp_path / upload)
    with pytest.raises(InvalidInputError, match=message):
        train_arguments(TrainForm(family, dataset, upload, **{**FORM, **change}), tmp_path / "uploads")


class FakeJobs:
    """The job manager's surface the Train tab uses, recording what it was asked."""

    def __init__(self, runs_dir: Path, jobs=()):
        self.runs_dir = runs_dir
        self.submitted, self.stopped, self.resumed = [], [], []
        self._jobs = {job.id: job for job in jobs}

    def submit(self, name, arguments, owner=""):
        job = TrainingJob(id=len(self._jobs) + 1, name=name, out=self.runs_dir / name, argv=["train", *arguments],
                          owner=owner)
        self._jobs[job.id] = job
        self.submitted.append((name, arguments, owner))
        return job

    def stop(self, job_id, owner="", admin=False):
        self.stopped.append((job_id, owner, admin))

    def resume(self, job_id, owner="", max_steps=None, admin=False):
        self.resumed.append((job_id, owner, max_steps, admin))
        return self.get(job_id)

    def get(self, job_id):
        try:
            return self._jobs[int(job_id)]
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(f"no training job {job_id!r}") from None

    def jobs(self):
        return sorted(self._jobs.values(), key=lambda job: job.id, reverse=True)

    def queue_position(self, job):
        return None

    def memory_in_use(self):
        return {"app_mb": 500.0, "training_mb": 0.0, "training_cuda_mb": 0.0}


def app_state(tmp_path, jobs=(), **settings) -> AppState:
    state = AppState(device=torch.device("cpu"), model_roots=[tmp_path / "models"], **settings)
    state.jobs = FakeJobs(tmp_path / "runs", jobs)
    return state


BROWSER = SimpleNamespace(username=None)


def test_train_stop_and_resume_act_for_this_browser(tmp_path):
    state = app_state(tmp_path)
    values = ["char-lstm", "python-code", None, "my-run", 40, 8, 2e-3, 0, 1, 10, 20, 28, 1, 0, 0, 0]
    run = start_training(state, "token-1", *values, request=BROWSER)
    name, arguments, owner = state.jobs.submitted[0]
    assert (run.value, name, owner) == ("1", "my-run", "browser:token-1")
    assert arguments[:3] == ["char-lstm", "--max-steps", "40"] and arguments[-2:] == ["--device", "cpu"]
    stop_training(state, "token-1", "1", "", request=BROWSER)
    resume_training(state, "token-1", "1", 80, "", request=BROWSER)
    assert state.jobs.stopped == [("1", "browser:token-1", False)]
    assert state.jobs.resumed == [("1", "browser:token-1", 80, False)]
    with pytest.raises(gr.Error, match="'python-code' is not a dataset for VAE"):
        start_training(state, "token-1", "vae", *values[1:], request=BROWSER)


def test_a_page_reattaches_to_this_browsers_active_run_first(tmp_path):
    mine = TrainingJob(id=1, name="mine", out=tmp_path / "mine", argv=["train", "vae"], owner="browser:a", state="running")
    other = TrainingJob(id=2, name="other", out=tmp_path / "other", argv=["train", "vae"], owner="browser:b",
                        state="running")
    done = TrainingJob(id=3, name="done", out=tmp_path / "done", argv=["train", "vae"], state="finished")
    state = app_state(tmp_path, [mine, other, done])
    assert reattach(state, "a", None, request=BROWSER).value == "1"
    assert reattach(state, "c", None, request=BROWSER).value == "2"  # no run of its own: an active one
    assert reattach(state, "c", "3", request=BROWSER).value == "3"  # a page that chose a run keeps it
    assert reattach(app_state(tmp_path, [done]), "a", None, request=BROWSER).value == "3"


OUTPUTS = ("status", "losses", "quality", "image", "text", "log", "shown", "timer", "memory", "timeline", "stop",
           "resume", "run")


def view(outputs) -> SimpleNamespace:
    """show_job's outputs by name."""
    assert len(outputs) == len(OUTPUTS)
    return SimpleNamespace(**dict(zip(OUTPUTS, outputs)))


def series(update) -> list[str]:
    """The series of a plot update's data, each once."""
    return list(dict.fromkeys(update["value"]["series"]))


def test_the_run_view_sends_plots_grids_and_the_log_only_when_they_changed(tmp_path):
    (tmp_path / "run" / "samples").mkdir(parents=True)
    for step in (0, 20):
        (tmp_path / "run" / "samples" / f"step_{step:07d}.png").write_bytes(b"png")
    job = TrainingJob(id=1, name="run", out=tmp_path / "run", argv=["train", "mlp-gan"], owner="browser:a",
                      state="running", step=20, total_steps=100, sample_step=20,
                      sample_path=tmp_path / "run" / "samples" / "step_0000020.png")
    job.curves = [CurvePoint(10, "d_loss", 1.2), CurvePoint(10, "g_loss", 0.7)]
    job.add_log("step 10/100")
    state = app_state(tmp_path, [job])
    first = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER))
    assert "<b>running</b>" in first.status and series(first.losses) == ["d_loss", "g_loss"]
    assert Path(first.image.value["path"]).read_bytes() == b"png" and "step 20" in first.image.label
    assert first.timeline.visible and first.timeline.value == 1  # two saved grids: the newest is shown
    assert first.log == "step 10/100" and first.shown.sample_key == "1:20"
    assert first.timer.active and first.stop.interactive and first.resume.interactive
    # The loss plot appears (it had nothing to draw) drawn with all of it; the quality plot stays hidden.
    assert (first.losses["visible"], first.losses["colors_in_legend"], first.losses["y_title"]) == (
        True, ["d_loss", "g_loss"], "loss")
    assert first.losses["title"] == marked("Losses")  # in the reader's language
    assert first.quality == gr.skip() and first.shown.redraw == (False, False)
    again = view(show_job(state, "1", first.shown, 0, False, "", "a", "", request=BROWSER))
    assert again.losses == again.quality == again.image == again.log == again.run == gr.skip()  # nothing new
    job.curves.append(CurvePoint(20, "d_loss", 1.1))
    job.add_log("step 20/100")
    later = view(show_job(state, "1", again.shown, 0, False, "", "a", "", request=BROWSER))
    frame = later.losses["value"]
    assert list(frame[frame["series"] == "d_loss"]["step"]) == [10, 20] and later.image == gr.skip()  # the same grid
    assert later.quality == gr.skip() or not later.shown.redraw[1]
    assert later.shown.redraw == (False, False)  # the same series and axis: only the data is swapped
    assert later.log == "step 10/100\nstep 20/100"
    # A new series in a plot on the page: the data goes out alone, the next call draws the plot afresh
    # (Vega keeps the colours it was drawn with: the new line would have none).
    job.curves.append(CurvePoint(20, "extra_loss", 0.5))
    new = view(show_job(state, "1", later.shown, 0, False, "", "a", "", request=BROWSER))
    assert "colors_in_legend" not in new.losses and new.shown.redraw == (True, False) and new.timer.active
    redraw = view(show_job(state, "1", new.shown, 0, False, "", "a", "", request=BROWSER))
    assert redraw.losses == {"__type__": "update", "colors_in_legend": ["d_loss", "extra_loss", "g_loss"],
                             "x_title": "step", "y_title": "loss", "title": marked("Losses")}
    assert redraw.quality == redraw.image == redraw.log == gr.skip() and redraw.shown.redraw == (False, False)
    stranger = view(show_job(state, "1", again.shown, 0, False, "", "b", "", request=BROWSER))
    assert not stranger.stop.interactive and not stranger.resume.interactive  # another browser watches read-only


def test_log_scale_is_drawn_with_its_own_axis_at_once(tmp_path):
    """The axis title and the plotted values change together: the data goes out, then the chained
    redraw (one round trip, not one poll, later) draws it afresh with the log10 axis."""
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "vae"], state="finished")
    job.curves = [CurvePoint(10, "loss", 500.0), CurvePoint(20, "loss", 100.0)]
    state = app_state(tmp_path, [job])
    drawn = redraw_plots(view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER)).shown)[2]
    logged = view(show_job(state, "1", drawn, 0, True, "", "a", "", request=BROWSER))
    assert list(logged.losses["value"]["value"]) == pytest.approx([2.69897, 2.0], abs=1e-4)
    assert "y_title" not in logged.losses and logged.shown.redraw[0]  # the values now, the axis right after
    losses, quality, shown = redraw_plots(logged.shown)
    assert losses["y_title"] == "log10(loss)" and shown.redraw == (False, False)
    back = view(show_job(state, "1", shown, 0, False, "", "a", "", request=BROWSER))
    assert list(back.losses["value"]["value"]) == [500.0, 100.0] and redraw_plots(back.shown)[0]["y_title"] == "loss"
    assert redraw_plots(redraw_plots(back.shown)[2])[0] == gr.skip()  # drawn: nothing more to send


def test_wider_y_labels_or_the_first_points_redraw_the_plot_but_new_points_alone_do_not(tmp_path):
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "vae"], state="running")
    job.curves = [CurvePoint(10, "loss", 5.0), CurvePoint(20, "loss", 4.0)]
    state = app_state(tmp_path, [job])
    shown = redraw_plots(view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER)).shown)[2]
    job.curves.append(CurvePoint(30, "loss", 4.5))
    assert view(show_job(state, "1", shown, 0, False, "", "a", "", request=BROWSER)).shown.redraw == (False, False)
    job.curves.append(CurvePoint(40, "loss", 1500.0))  # "1,500" is wider than "5.0": Vega would cut it off
    assert view(show_job(state, "1", shown, 0, False, "", "a", "", request=BROWSER)).shown.redraw == (True, False)


def test_a_text_run_shows_its_sample_text_and_its_own_curves(tmp_path):
    (tmp_path / "run").mkdir()
    job = TrainingJob(id=2, name="run", out=tmp_path / "run", argv=["train", "char-lstm"], state="finished",
                      sample_step=50, sample_path=tmp_path / "run" / "sample.txt", sample_text="def foo():")
    job.curves = [CurvePoint(10, "loss", 4.2)]
    queued = TrainingJob(id=3, name="next", out=tmp_path / "next", argv=["train", "vae"], state="queued")
    state = app_state(tmp_path, [job, queued])
    # The page showed an image run's curves and timeline before.
    before = ShownOnPage("1:20", "1:2:view", losses=PlotShown(("d_loss", "g_loss"), ("d_loss", "g_loss"), "loss",
                                                              visible=True))
    outputs = view(show_chosen_job(state, "2", before, 0, False, "", "a", "", request=BROWSER))
    assert not outputs.image.visible and outputs.text.visible and outputs.text.value == "def foo():"
    assert not outputs.timeline.visible  # no image timeline for a text run
    assert series(outputs.losses) == ["loss"] and outputs.timer.active  # polls once more, to redraw
    redrawn = view(show_job(state, "2", outputs.shown, 0, False, "", "a", "", request=BROWSER))
    assert redrawn.losses["colors_in_legend"] == ["loss"] and not redrawn.timer.active  # drawn: no polling
    cleared = view(show_chosen_job(state, "3", redrawn.shown, 0, False, "", "a", "", request=BROWSER))
    # Not the last run's curves: nothing to draw, so no plot (Vega lays out an empty one badly).
    assert len(cleared.losses["value"]) == 0 and cleared.losses["visible"] is False
    assert cleared.quality == gr.skip() and not any(cleared.shown.redraw)
    assert show_chosen_job(app_state(tmp_path), None, None, 0, False, "", "a", "", request=BROWSER)[0].count("No run yet")


def test_an_image_run_after_a_text_run_shows_its_own_sample_panel_and_timeline(tmp_path):
    """Stale state: the last run's text panel, or its timeline's length, never stays for another run."""
    text_run = TrainingJob(id=1, name="text", out=tmp_path / "text", argv=["train", "char-lstm"], state="finished",
                           sample_step=40, sample_path=tmp_path / "text" / "sample.txt", sample_text="def f():")
    waiting = TrainingJob(id=2, name="new", out=tmp_path / "new", argv=["train", "vae"], state="running")
    five = TrainingJob(id=3, name="five", out=tmp_path / "five", argv=["train", "vae"], state="finished")
    (five.out / "samples").mkdir(parents=True)
    for step in range(0, 250, 50):
        (five.out / "samples" / f"step_{step:07d}.png").write_bytes(b"png")
    state = app_state(tmp_path, [text_run, waiting, five])
    text = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER))
    image_run = view(show_chosen_job(state, "2", text.shown, 0, False, "", "a", "", request=BROWSER))
    assert image_run.image.visible and image_run.image.value is None  # no sample yet: none of the last run's
    assert not image_run.text.visible and image_run.text.value == ""
    assert not image_run.timeline.visible
    grids = view(show_chosen_job(state, "3", image_run.shown, 0, False, "", "a", "", request=BROWSER))
    assert grids.image.visible and "step 200" in grids.image.label  # its newest saved grid
    assert (grids.timeline.visible, grids.timeline.maximum, grids.timeline.value) == (True, 4, 4)
    again = view(show_chosen_job(state, "2", grids.shown, 0, False, "", "a", "", request=BROWSER))
    assert not again.timeline.visible and again.image.value is None  # not the five-grid run's


def test_the_run_list_says_what_each_run_is_doing_now(tmp_path):
    """Stale state: a run's label in the Run dropdown follows its state (running, then finished or failed)."""
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "vae"], state="running")
    state = app_state(tmp_path, [job])
    first = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER))
    assert [label for label, _ in first.run.choices] == ["#1 run · vae · running"]
    assert view(show_job(state, "1", first.shown, 0, False, "", "a", "", request=BROWSER)).run == gr.skip()
    job.state, job.message = "failed", "failed: no data"
    with pytest.warns(UserWarning, match="run: failed: no data"):  # the toast, outside a browser
        ended = view(show_job(state, "1", first.shown, 0, False, "", "a", "", request=BROWSER))
    assert [label for label, _ in ended.run.choices] == ["#1 run · vae · failed"]
    assert "value" not in ended.run.constructor_args  # the labels change, the chosen run stays
    assert not ended.timer.active  # nothing more to follow


def test_a_toast_when_a_long_run_this_page_watched_ends(tmp_path, monkeypatch):
    toasts = []
    monkeypatch.setattr(gr, "Info", lambda message, *args, **kwargs: toasts.append(("info", message)))
    monkeypatch.setattr(gr, "Warning", lambda message, *args, **kwargs: toasts.append(("warning", message)))
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "vae"], state="running", started_at=100.0)
    state = app_state(tmp_path, [job])
    watching = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER)).shown
    job.state, job.ended_at, job.message = "finished", 100.0 + LONG_RUN_SECONDS, "finished at step 60"
    ended = view(show_job(state, "1", watching, 0, False, "", "a", "", request=BROWSER)).shown
    assert toasts == [("info", "run: finished at step 60")]
    view(show_job(state, "1", ended, 0, False, "", "a", "", request=BROWSER))
    assert len(toasts) == 1  # once
    view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER))
    assert len(toasts) == 1  # a page that never saw it running is not told
    job.state, job.ended_at = "running", None
    watching = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER)).shown
    job.state, job.ended_at, job.message = "failed", 101.0, "failed: out of memory"
    view(show_job(state, "1", watching, 0, False, "", "a", "", request=BROWSER))
    assert toasts[-1] == ("warning", "run: failed: out of memory")  # a failure however short
    job.state, job.ended_at = "running", None
    watching = view(show_chosen_job(state, "1", None, 0, False, "", "a", "", request=BROWSER)).shown
    job.state, job.ended_at = "finished", 101.0
    view(show_job(state, "1", watching, 0, False, "", "a", "", request=BROWSER))
    assert len(toasts) == 2  # a short run the page watched finish needs no toast


def test_status_and_curves_of_a_running_job(tmp_path):
    job = TrainingJob(id=1, name="<b>run</b>", out=tmp_path, argv=["train", "dcgan"], state="running", step=50,
                      total_steps=200, samples_per_second=640.0, steps_per_second=10.0)
    job.curves = [CurvePoint(10, "d_loss", 1.2), CurvePoint(10, "g_loss", 0.7)]
    html = status_html(app_state(tmp_path), job)
    assert "&lt;b&gt;run&lt;/b&gt;" in html  # names are escaped
    assert "step 50 / 200" in html and "640 samples/s" in html and "ETA 0:15" in html
    assert "<progress value='50' max='200'" in html
    frame = curves_frame(job)
    assert list(dict.fromkeys(frame["series"])) == ["d_loss", "g_loss"] and str(frame["series"].dtype) == "string"
    assert str(curves_frame(None)["series"].dtype) == "string"  # an empty plot keeps categorical colours


def test_a_waiting_job_shows_its_place_in_the_queue(tmp_path):
    state = app_state(tmp_path)
    state.jobs.queue_position = lambda job: 2
    job = TrainingJob(id=3, name="later", out=tmp_path, argv=["train", "vae"], state="queued")
    assert "<b>queued</b> · waiting, position 2 in the queue" in status_html(state, job)


def test_the_timeline_lists_every_saved_grid_from_step_0(tmp_path):
    (tmp_path / "samples").mkdir()
    for step in (200, 0, 100):
        (tmp_path / "samples" / f"step_{step:07d}.png").write_bytes(b"png")
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "dcgan"])
    assert [path.name for path in sample_timeline(job)] == ["step_0000000.png", "step_0000100.png", "step_0000200.png"]
    assert sample_timeline(TrainingJob(id=2, name="t", out=tmp_path, argv=["train", "char-lstm"])) == []


def test_quality_curves_are_plotted_apart_from_the_losses(tmp_path):
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "dcgan"])
    job.curves = [CurvePoint(10, "d_loss", 1.2), CurvePoint(10, "classifier_fid", 80.0),
                  CurvePoint(10, "fid_floor", 19.3), CurvePoint(10, "eval_seconds", 0.5)]
    assert set(curves_frame(job)["series"]) == {"d_loss"}
    assert list(curves_frame(job, quality=True)["series"]) == ["classifier_fid", "fid_floor", "best", "best"]


def test_the_best_step_is_marked_on_the_quality_plot(tmp_path):
    job = TrainingJob(id=1, name="run", out=tmp_path, argv=["train", "dcgan"])
    job.curves = [CurvePoint(step, "classifier_fid", fid) for step, fid in ((100, 90.0), (200, 31.0), (300, 40.0))]
    job.curves += [CurvePoint(step, "fid_floor", 19.3) for step in (100, 200, 300)]
    frame = curves_frame(job, quality=True)
    best = frame[frame["series"] == "best"]
    # A vertical line at step 200 (the checkpoint kept as run/best), spanning the plot's values.
    assert list(best["step"]) == [200, 200] and list(best["value"]) == [19.3, 90.0]


def test_curves_smoothed_in_log_scale_beside_a_past_run(tmp_path):
    MetricsLog(tmp_path / "old-run").append({"step": 10, "g_loss": 100.0, "classifier_fid": 50.0})
    job = TrainingJob(id=1, name="run", out=tmp_path / "run", argv=["train", "dcgan"])
    job.curves = [CurvePoint(10, "g_loss", 10.0), CurvePoint(20, "g_loss", 1000.0)]
    frame = curves_frame(job, view=CurveView(smoothing=0.5, log_scale=True, compare_with=tmp_path / "old-run"))
    rows = {(row.series, row.step): row.value for row in frame.itertuples()}
    assert rows[("g_loss", 10)] == pytest.approx(1.0)  # log10(10)
    assert rows[("g_loss", 20)] == pytest.approx(2.7041, abs=1e-3)  # log10(0.5 * 10 + 0.5 * 1000)
    assert rows[("g_loss (past)", 10)] == pytest.approx(2.0)
    assert ("classifier_fid (past)", 10) not in rows  # quality curves go to their own plot
    assert list(curves_frame(job, quality=True, view=CurveView(compare_with=tmp_path / "old-run"))["series"]) == [
        "classifier_fid (past)"]  # no best marker: this run has measured nothing yet


def test_owners_are_logged_in_users_or_browsers_and_admins_need_the_exact_token():
    assert owner_of(SimpleNamespace(username="ada"), "token-1") == "user:ada"  # under --auth: any of ada's browsers
    assert owner_of(SimpleNamespace(username=None), "token-1") == "browser:token-1"
    assert owner_of(None, "") == ""
    state = SimpleNamespace(admin_token="s3cret")
    assert is_admin(state, "s3cret") and not is_admin(state, "S3cret") and not is_admin(state, "")
    assert not is_admin(SimpleNamespace(admin_token=None), "")


def test_zero_gpu_spaces_cap_a_run_in_slices_with_a_clear_message(monkeypatch, tmp_path):
    """On ZeroGPU a run trains in GPU slices (tests/ui/test_gpu.py), each spending the Space's quota: capped."""
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    state = app_state(tmp_path)
    check_step_cap(state, 20_000)
    with pytest.raises(InvalidInputError, match="this Space trains at most 20,000 steps a run"):
        check_step_cap(state, 20_001)
    monkeypatch.delenv("SPACES_ZERO_GPU")
    check_step_cap(app_state(tmp_path), 1_000_000)  # anywhere else: no cap


def real_job(tmp_path, job_id: int, family: str, state: str = "running", **form) -> TrainingJob:
    """A job as the tab submits it: the form's arguments, parsed by the CLI's parser."""
    dataset = family_form(family).datasets[0]
    arguments = train_arguments(TrainForm(family, dataset, **{**FORM, **form}), tmp_path / "uploads")
    out = tmp_path / f"run-{job_id}"
    return TrainingJob(id=job_id, name=out.name, out=out, argv=["train", *arguments, "--out", str(out)], state=state)


@pytest.mark.parametrize("family, losses, quality", [
    ("vae", ["kl", "loss", "negative_elbo", "reconstruction"], []),
    ("mlp-gan", ["d_loss", "g_loss"], ["best", "classifier_fid", "fid_floor"]),
    ("char-lstm", ["loss"], ["best", "val_bits_per_char"]),
])
def test_a_run_that_has_logged_nothing_yet_lists_the_series_it_will_draw(tmp_path, family, losses, quality):
    """A plot's colours are fixed when it is drawn: every series the run will log is in its first data,
    without a value (NaN draws nothing), so the first points are drawn with a colour at once."""
    job = real_job(tmp_path, 1, family, eval_every=0 if family == "vae" else 50)
    for quality_plot, expected in ((False, losses), (True, quality)):
        frame = curves_frame(job, quality=quality_plot)
        assert sorted(frame["series"]) == expected and frame["value"].isna().all()
    job.state = "failed"  # ended before its first point: nothing more will come, no empty plot
    assert curves_frame(job).empty and curves_frame(job, quality=True).empty
    job.state = "running"
    job.curves = [CurvePoint(10, name, float(10 + index)) for index, name in enumerate(losses)]
    frame = curves_frame(job)
    assert sorted(set(frame["series"])) == losses and not frame["value"].isna().any()
    # One logged mean so far (of the steps up to 10): drawn level from step 0, not as an invisible point.
    assert sorted(zip(frame["series"], frame["step"], frame["value"])) == sorted(
        (name, step, float(10 + index)) for index, name in enumerate(losses) for step in (0, 10))


def test_the_quality_plot_says_what_the_run_measures(tmp_path):
    """Not "lower FID is better" for a text run (bits per character) or a run that measures nothing."""
    titles = {}
    for family, eval_every in (("mlp-gan", 50), ("char-lstm", 50), ("vae", 0)):
        job = real_job(tmp_path, len(titles) + 1, family, eval_every=eval_every)
        state = app_state(tmp_path, [job])
        outputs = view(show_chosen_job(state, str(job.id), None, 0, False, "", "a", "", request=BROWSER))
        quality = outputs.shown.quality  # what the next call draws
        titles[family] = (quality.y_title, quality.title, quality.visible, outputs.status)
    assert titles["mlp-gan"][:3] == ("classifier-FID", QUALITY_LABELS["classifier_fid"][1], True)
    assert "lower is better" in titles["mlp-gan"][1]
    assert titles["char-lstm"][:3] == ("bits per character", QUALITY_LABELS["val_bits_per_char"][1], True)
    assert "FID" not in titles["char-lstm"][1]
    # A run that measures nothing shows no empty plot; its status says how to measure.
    assert not titles["vae"][2] and html.escape(QUALITY_OFF) in titles["vae"][3] and "FID" not in titles["vae"][3]
    assert quality_meaning({"val_bits_per_char (past)"})[0] == "bits per character"  # a compared run's too


def test_a_reloaded_page_shows_the_watched_runs_settings_not_the_defaults(tmp_path):
    job = real_job(tmp_path, 1, "char-lstm", steps=40, batch_size=4, learning_rate=3e-3, seed=7, sample_every=20,
                   save_every=100, eval_every=20)
    family, dataset, learning_rate, latent, steps, batch, image_row, run_name, clusters, ema, seed, sample_every, \
        save_every, eval_every = settings_of_run(app_state(tmp_path, [job]), "1")
    assert (family, dataset.value, learning_rate, steps, batch) == ("char-lstm", "python-code", 3e-3, 40, 4)
    assert (seed, sample_every, save_every, eval_every) == (7, 20, 100, 20)
    assert not latent.visible and not image_row.visible and run_name.startswith("char-lstm-") and run_name != job.name
    dcgan = real_job(tmp_path, 2, "dcgan", latent_size=32, clusters=10, ema_decay=0.99)
    outputs = settings_of_run(app_state(tmp_path, [dcgan]), "2")
    assert outputs[0] == "dcgan" and outputs[3].value == 32 and (outputs[8].value, outputs[9].value) == (10, 0.99)
    nothing_watched = settings_of_run(app_state(tmp_path), None)  # the first family's form stays
    assert nothing_watched[0] == gr.skip() and all(output == gr.skip() for output in nothing_watched[2:])
    assert nothing_watched[1].value == family_form(train_tab_families()[0].name).datasets[0]


@pytest.fixture
def no_debian_data(tmp_path, monkeypatch):
    """A machine without Debian's fortunes and dataset-fashion-mnist (and an empty, offline Hub cache)."""
    from genai_demo.data import fashion_mnist, text
    from genai_demo.jobs import forget_dataset_checks

    monkeypatch.setattr(text, "FORTUNES_DIR", tmp_path / "no-fortunes")
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "no-fashion-mnist")
    forget_dataset_checks()
    yield
    forget_dataset_checks()


def test_datasets_this_machine_lacks_are_not_offered_and_a_run_on_one_is_refused_before_it_is_queued(
        tmp_path, no_debian_data):
    from genai_demo.data.text import DEBIAN_CORPORA
    from genai_demo.jobs import JobManager

    text = family_form("char-lstm")
    assert text.datasets == ["python-code", UPLOAD_CHOICE]
    assert all(corpus in text.datasets_info for corpus in DEBIAN_CORPORA) and "apt-get install fortunes" in text.datasets_info
    images = family_form("vae")
    assert "fashion-mnist" not in images.datasets and "dataset-fashion-mnist" in images.datasets_info
    assert choose_family("char-lstm")[0].info == text.datasets_info  # the form says how to get them
    assert settings_of_run(app_state(tmp_path), None)[1].info == family_form(train_tab_families()[0].name).datasets_info
    state = AppState(device=torch.device("cpu"), model_roots=[tmp_path / "models"], jobs=JobManager(tmp_path / "runs"))
    values = ["char-lstm", "fortunes", None, "my-run", 40, 8, 2e-3, 0, 1, 10, 20, 28, 1, 0, 0, 0]
    with pytest.raises(gr.Error, match="apt-get install fortunes"):
        start_training(state, "token", *values, request=BROWSER)
    with pytest.raises(gr.Error, match="dataset-fashion-mnist"):
        start_training(state, "token", "vae", "fashion-mnist", *values[2:], request=BROWSER)
    assert state.jobs.jobs() == []  # nothing queued, nothing listed as running


def test_the_form_trains_a_stylegan_through_the_clis_parser(tmp_path):
    """The Train tab's stylegan: its form's defaults (clusters 50, EMA 0.999) become flags the CLI takes,
    and the run they describe trains, saves a style-based folder and lists the losses the plot draws."""
    from genai_demo.cli import main as cli_main
    from genai_demo.folders.model_folder import load_model_folder

    form = family_form("stylegan")
    assert (form.clusters, form.ema_decay, form.learning_rate) == (50, 0.999, 2e-3)
    job = real_job(tmp_path, 1, "stylegan", steps=2, batch_size=16, clusters=4, eval_every=0)
    assert "--clusters" in job.argv and "--ema-decay" in job.argv
    assert cli_main([*job.argv, "--data-source", "embedded", "--device", "cpu"]) == 0
    model = load_model_folder(job.out)
    assert model.model_type == "stylegan" and model.config.clusters == 4
    assert sorted(curves_frame(real_job(tmp_path, 2, "stylegan", eval_every=0))["series"]) == [
        "d_loss", "g_loss", "r1_penalty"]
