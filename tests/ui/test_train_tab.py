"""The Train tab's form becomes CLI arguments; bad input is a clear message, uploads are kept."""

import zipfile

import pytest

from genai_demo.cli import build_parser
from genai_demo.errors import InvalidInputError
from genai_demo.jobs import CurvePoint, TrainingJob
from genai_demo.ui.train import UPLOAD_CHOICE, curves_frame, sample_timeline, status_html, train_arguments

FORM = dict(steps=300, batch_size=32, learning_rate=2e-4, latent_size=64, seed=3, sample_every=25, save_every=100,
            image_size=28, channels=1)


def test_an_image_form_is_the_cli_command(tmp_path):
    arguments = train_arguments("dcgan", "fashion-mnist", tmp_path, None, **FORM)
    args = build_parser(raise_errors=True).parse_args(["train", *arguments, "--out", str(tmp_path / "run")])
    assert (args.model, args.dataset, args.max_steps, args.batch_size, args.seed) == ("dcgan", "fashion-mnist", 300, 32, 3)
    assert (args.latent_dim, args.sample_every, args.save_every, args.lr) == (64, 25, 100, 2e-4)
    assert args.log_every == 3  # about a hundred points on the curve


def test_the_form_offers_the_shipped_recipes_self_conditioning_and_ema(tmp_path):
    from genai_demo.ui.train import DEFAULT_CLUSTERS, DEFAULT_EMA_DECAY

    parser = build_parser(raise_errors=True)
    recipe = dict(clusters=DEFAULT_CLUSTERS["dcgan"], ema_decay=DEFAULT_EMA_DECAY["dcgan"])
    dcgan = parser.parse_args(["train", *train_arguments("dcgan", "mnist", tmp_path, None, **FORM, **recipe),
                               "--out", str(tmp_path / "run")])
    assert (dcgan.clusters, dcgan.ema_decay) == (50, 0.999)  # checkpoints/dcgan-mnist's command
    plain = parser.parse_args(["train", *train_arguments("dcgan", "mnist", tmp_path, None, **FORM, clusters=0,
                                                         ema_decay=0), "--out", str(tmp_path / "run")])
    assert (plain.clusters, plain.ema_decay) == (None, None)
    # Clusters are a DCGAN option only; 0 EMA decay on a DDPM is passed on, else its default 0.999 would apply.
    vae = train_arguments("vae", "mnist", tmp_path, None, **FORM, **recipe)
    assert "--clusters" not in vae and vae[vae.index("--ema-decay") + 1] == "0.999"
    ddpm = train_arguments("ddpm", "mnist", tmp_path, None, **FORM, clusters=0, ema_decay=0)
    assert ddpm[ddpm.index("--ema-decay") + 1] == "0.0"
    assert "--ema-decay" not in train_arguments("char-lstm", "python-code", tmp_path, None, **FORM, **recipe)


def test_a_text_form_trains_on_a_corpus_without_image_settings(tmp_path):
    arguments = train_arguments("tiny-gpt", "tang-poems", tmp_path, None, **FORM)
    args = build_parser(raise_errors=True).parse_args(["train", *arguments, "--out", str(tmp_path / "run")])
    assert (args.corpus, args.latent_dim) == ("tang-poems", None)
    assert "--image-size" not in arguments


def test_an_upload_is_kept_where_a_resume_finds_it(tmp_path):
    upload = tmp_path / "gradio-temp" / "my digits.zip"
    upload.parent.mkdir()
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("a.png", b"not really a png")
    arguments = train_arguments("vae", UPLOAD_CHOICE, tmp_path / "uploads", str(upload), **FORM)
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
        train_arguments(family, dataset, tmp_path / "uploads", upload, **{**FORM, **change})


def test_status_and_curves_of_a_running_job(tmp_path):
    class NoQueue:
        def queue_position(self, job):
            return None

    class State:
        jobs = NoQueue()

    job = TrainingJob(id=1, name="<b>run</b>", out=tmp_path, argv=["train", "dcgan"], state="running", step=50,
                      total_steps=200, samples_per_second=640.0, steps_per_second=10.0)
    job.curves = [CurvePoint(10, "d_loss", 1.2), CurvePoint(10, "g_loss", 0.7)]
    html = status_html(State(), job)
    assert "&lt;b&gt;run&lt;/b&gt;" in html  # names are escaped
    assert "step 50 / 200" in html and "640 samples/s" in html and "ETA 0:15" in html
    assert "<progress value='50' max='200'" in html
    frame = curves_frame(job)
    assert list(frame["series"]) == ["d_loss", "g_loss"] and str(frame["series"].dtype) == "string"
    assert str(curves_frame(None)["series"].dtype) == "string"  # an empty plot keeps categorical colours


def test_a_waiting_job_shows_its_place_in_the_queue(tmp_path):
    class Queue:
        def queue_position(self, job):
            return 2

    class State:
        jobs = Queue()

    job = TrainingJob(id=3, name="later", out=tmp_path, argv=["train", "vae"], state="queued")
    assert "<b>queued</b> · waiting, position 2 in the queue" in status_html(State(), job)


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
    assert list(curves_frame(job)["series"]) == ["d_loss"]
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
    from genai_demo.metrics_log import MetricsLog
    from genai_demo.ui.train import CurveView

    MetricsLog(tmp_path / "old-run").append({"step": 10, "g_loss": 100.0, "classifier_fid": 50.0})
    job = TrainingJob(id=1, name="run", out=tmp_path / "run", argv=["train", "dcgan"])
    job.curves = [CurvePoint(10, "g_loss", 10.0), CurvePoint(20, "g_loss", 1000.0)]
    frame = curves_frame(job, view=CurveView(smoothing=0.5, log_scale=True, compare_with=tmp_path / "old-run"))
    rows = {(row.series, row.step): row.value for row in frame.itertuples()}
    assert rows[("g_loss", 10)] == pytest.approx(1.0)  # log10(10)
    assert rows[("g_loss", 20)] == pytest.approx(2.7041, abs=1e-3)  # log10(0.5 * 10 + 0.5 * 1000)
    assert rows[("g_loss (old-run)", 10)] == pytest.approx(2.0)
    assert ("classifier_fid (old-run)", 10) not in rows  # quality curves go to their own plot
    assert list(curves_frame(job, quality=True, view=CurveView(compare_with=tmp_path / "old-run"))["series"]) == [
        "classifier_fid (old-run)"]  # no best marker: this run has measured nothing yet


def test_owners_are_logged_in_users_or_browsers_and_admins_need_the_exact_token():
    from types import SimpleNamespace

    from genai_demo.ui.ownership import is_admin, owner_of

    assert owner_of(SimpleNamespace(username="ada"), "token-1") == "user:ada"  # under --auth: any of ada's browsers
    assert owner_of(SimpleNamespace(username=None), "token-1") == "browser:token-1"
    assert owner_of(None, "") == ""
    state = SimpleNamespace(admin_token="s3cret")
    assert is_admin(state, "s3cret") and not is_admin(state, "S3cret") and not is_admin(state, "")
    assert not is_admin(SimpleNamespace(admin_token=None), "")


def test_zero_gpu_spaces_cap_training_with_a_clear_message(monkeypatch):
    import torch

    from genai_demo.ui.state import AppState
    from genai_demo.ui.train import check_step_cap

    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    state = AppState(device=torch.device("cpu"))
    check_step_cap(state, 2000)
    with pytest.raises(InvalidInputError, match="this Space trains at most 2,000 steps"):
        check_step_cap(state, 2001)
    monkeypatch.delenv("SPACES_ZERO_GPU")
    check_step_cap(AppState(device=torch.device("cpu")), 1_000_000)  # anywhere else: no cap
