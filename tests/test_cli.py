"""`python -m genai_demo`. Most cases call the same `cli.main` in this process (`run_cli_here`); the
entry point itself and Ctrl-C start the real command."""

import io
import json
import re
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import REPO_ROOT
from genai_demo.data import fashion_mnist
from genai_demo.training import GANTrainer


def run_cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "genai_demo", *map(str, args)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
    )


def test_the_module_runs_the_cli():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "train" in result.stdout


def test_train_then_sample(tmp_path, run_cli_here):
    folder = tmp_path / "dcgan"
    trained = run_cli_here("train", "dcgan", "--dataset", "mnist", "--data-source", "embedded", "--max-steps", "3",
                      "--batch-size", "16", "--seed", "1", "--device", "cpu", "--out", folder,
                      "--generator-features", "16", "--discriminator-features", "8", "--spectral-norm", "--float32")
    assert trained.returncode == 0, trained.stderr
    assert "step 3/3" in trained.stdout
    config = json.loads((folder / "config.json").read_text())
    assert (config["generator_features"], config["discriminator_features"], config["spectral_norm"]) == (16, 8, True)
    assert (folder / "model.safetensors").is_file() and (folder / "training_state.safetensors").is_file()
    card = (folder / "README.md").read_text()
    assert "--max-steps 3" in card and "float32" in card and "bfloat16" not in card

    resumed = run_cli_here("train", "dcgan", "--data-source", "embedded", "--max-steps", "5", "--batch-size", "16",
                      "--seed", "1", "--device", "cpu", "--out", folder, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stdout and "step 5/5" in resumed.stdout

    grid_path = tmp_path / "grid.png"
    sampled = run_cli_here("sample", folder, "--num", "64", "--seed", "0", "--out", grid_path)
    assert sampled.returncode == 0, sampled.stderr
    with Image.open(grid_path) as grid:
        assert grid.size == (8 * 30 + 2, 8 * 30 + 2)  # 8x8 digits of 28 px with 2 px padding
        assert grid.mode == "L"
        assert grid.text["seed"] == "0"


@pytest.mark.parametrize("command", [["train"], ["sample"], ["eval"], ["generate"]])
def test_help(command, run_cli_here):
    result = run_cli_here(*command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["sample", "/nonexistent/model"], "error: model folder /nonexistent/model does not exist"),
        (["sample", ".", "--out", "x.png"], "is not a model folder: config.json is missing"),
        (["sample", ".", "--out", "grid.jpg"], "--out must end in .png"),
        (["train", "dcgan", "--out", "OUT", "--resume"], "nothing to resume"),
        (["train", "dcgan", "--out", "OUT", "--device", "cuda:7"], "device 'cuda:7'"),
        (["train", "dcgan", "--out", "OUT", "--dataset", "imagenet"], "unknown image dataset 'imagenet'"),
        (["train", "dcgan", "--out", "OUT", "--unet-channels", "8,16"], "--unet-channels applies to ddpm only"),
        (["train", "vae", "--out", "OUT", "--augment"], "--augment applies to mlp-gan, dcgan, cdcgan, stylegan only"),
        (["train", "cdcgan", "--out", "OUT", "--pack", "2"], "--pack applies to dcgan only"),
        (["train", "cdcgan", "--out", "OUT", "--clusters", "10"], "--clusters applies to dcgan, stylegan only"),
        (["train", "mlp-gan", "--out", "OUT", "--spectral-norm"], "--spectral-norm applies to dcgan, wgan-gp only"),
        (["train", "vae", "--out", "OUT", "--generator-features", "8"],
         "--generator-features applies to dcgan, cdcgan, wgan-gp, stylegan only"),
        (["train", "dcgan", "--out", "OUT", "--pack", "0", "--max-steps", "1"], "pack must be positive"),
        (["train", "dcgan", "--out", "OUT", "--pack", "8", "--batch-size", "4"], "needs a batch of at least 8"),
        (["train", "ddpm", "--out", "OUT", "--unet-channels", "8,x"], "--unet-channels must be numbers"),
        (["train", "ddpm", "--out", "OUT", "--unet-channels", "12,16"], "multiples of 8"),
        (["train", "ddpm", "--out", "OUT", "--latent-dim", "8"], "--latent-dim applies to mlp-gan, dcgan, cdcgan, wgan-gp, stylegan, vae only"),
        (["train", "char-lstm", "--out", "OUT", "--latent-dim", "8"], "--latent-dim applies to mlp-gan, dcgan, cdcgan, wgan-gp, stylegan, vae only, not char-lstm"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, run_cli_here, args, message):
    args = [str(tmp_path / "out") if arg == "OUT" else arg for arg in args]
    result = run_cli_here(*args)
    assert result.returncode == 2
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and message in error_lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flag, value, message", [("--latent-dim", "1", "latent size must be a whole number from 2"),
                                                  ("--log-every", "0", "report losses every N steps must be"),
                                                  ("--generator-features", "0", "network width (feature maps) must be"),
                                                  ("--clusters", "1", "self-conditioning clusters must be a whole number from 2 to 256")])
def test_out_of_range_training_settings_are_refused(tmp_path, run_cli_here, flag, value, message):
    result = run_cli_here("train", "vae", "--out", str(tmp_path / "out"), flag, value)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag,value", [("--num", "0"), ("--num", "nan"), ("--seed", "-1"), ("--num", "1e9")])
def test_out_of_range_numbers_are_refused(run_cli_here, flag, value):
    result = run_cli_here("sample", ".", flag, value)
    assert result.returncode == 2
    assert "must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_prints_fid_with_its_floor(tiny_model_folder, tmp_path, run_cli_here):
    result = run_cli_here("eval", tiny_model_folder, "--num", "200", "--data-source", "embedded",
                     "--classifier", REPO_ROOT / "checkpoints" / "classifier-mnist", "--json", tmp_path / "eval.json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["num_images"] == 200
    assert figures["classifier_fid"] > figures["real_vs_real_floor"] > 0  # 3 steps of training: far from real
    assert json.loads((tmp_path / "eval.json").read_text()) == figures
    # Cached in the model folder for the Hub tab and the card, with the metric's version.
    cached = json.loads((tiny_model_folder / "eval_results.json").read_text())
    assert cached["classifier_fid"] == figures["classifier_fid"] and cached["metric_version"] >= 1
    assert "model" not in cached  # a local path means nothing on another machine


def test_eval_against_training_images_measures_more_than_the_test_split_holds(tiny_model_folder, run_cli_here):
    result = run_cli_here("eval", tiny_model_folder, "--num", "600", "--reference", "train", "--data-source", "embedded",
                          "--classifier", REPO_ROOT / "checkpoints" / "classifier-mnist")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["num_images"] == 600  # the embedded test split holds 500
    assert "training image" in figures["data"] and figures["copy_ratio"] > 0.5  # 3 steps of training copy nothing
    cached = json.loads((tiny_model_folder / "eval_results.json").read_text())
    assert cached["settings"]["reference"] == "train"


def test_eval_with_a_generator_as_classifier_is_a_clear_error(tiny_model_folder, run_cli_here):
    result = run_cli_here("eval", tiny_model_folder, "--classifier", tiny_model_folder, "--data-source", "embedded")
    assert result.returncode == 2
    assert "is a dcgan, not a classifier folder" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])  # Ctrl-C; `kill`, `docker stop`
def test_ctrl_c_stops_after_the_step_and_saves_a_resumable_checkpoint(tmp_path, stop_signal):
    folder = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "genai_demo", "train", "dcgan", "--data-source", "embedded", "--max-steps", "100000",
         "--batch-size", "16", "--device", "cpu", "--out", str(folder)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in process.stdout:  # wait until training runs
            if line.startswith("step "):
                break
        process.send_signal(stop_signal)
        stdout, stderr = process.communicate(timeout=10)  # the step in flight, then a checkpoint, within docker's 10 s
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "stopped at step" in stdout and "--resume" in stdout
    saved_step = json.loads((folder / "training_state.json").read_text())["step"]
    assert 20 <= saved_step < 100000
    assert f"stopped at step {saved_step};" in stdout


def test_train_vae_and_eval_its_negative_elbo(tmp_path, run_cli_here):
    folder = tmp_path / "vae"
    trained = run_cli_here("train", "vae", "--data-source", "embedded", "--max-steps", "20", "--kl-weight", "1",
                      "--device", "cpu", "--out", folder)
    assert trained.returncode == 0, trained.stderr
    assert "negative_elbo" in trained.stdout
    evaluated = run_cli_here("eval", folder, "--data-source", "embedded")
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert figures["num_images"] == 500
    assert figures["negative_elbo_nats"] == pytest.approx(figures["reconstruction_nats"] + figures["kl_nats"], abs=0.02)
    assert 0 < figures["negative_elbo_nats"] < 550  # 784 * ln 2 = 543 nats is a coin flip per pixel


@pytest.mark.slow
def test_train_conditional_ddpm_then_sample_and_eval_it(tmp_path, run_cli_here):
    folder = tmp_path / "ddpm"
    trained = run_cli_here("train", "ddpm", "--data-source", "embedded", "--unet-channels", "8,16", "--class-conditional",
                           "--attributes", "--max-steps", "2", "--batch-size", "8", "--device", "cpu", "--out", folder)
    assert trained.returncode == 0, trained.stderr
    assert "step 2/2" in trained.stdout and (folder / "model_index.json").is_file()
    grid_path = tmp_path / "grid.png"
    sampled = run_cli_here("sample", folder, "--num", "20", "--out", grid_path)
    assert sampled.returncode == 0, sampled.stderr
    with Image.open(grid_path) as grid:
        assert grid.size == (2 * 30 + 2, 10 * 30 + 2)  # one row per class, two per row
    evaluated = run_cli_here("eval", folder, "--num", "20", "--data-source", "embedded")
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert figures["num_images"] == 20 and figures["classifier_fid"] > 0 and 0 <= figures["class_accuracy"] <= 1
    # A prompt in Chinese, with a guidance scale, as the raw array.
    array_path = tmp_path / "thick-3.npy"
    prompted = run_cli_here("sample", folder, "--num", "6", "--prompt", "一个粗的3", "--guidance", "3",
                            "--out", array_path)
    assert prompted.returncode == 0, prompted.stderr
    array = np.load(array_path, allow_pickle=False)
    assert array.shape == (6, 1, 28, 28) and array.dtype == np.float32 and -1 <= array.min() <= array.max() <= 1
    refused = run_cli_here("sample", folder, "--prompt", "a cat", "--out", tmp_path / "cat.png")
    assert refused.returncode == 2 and "did not understand 'cat'" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "cat.png").exists()


def test_sample_writes_the_raw_array_of_any_image_family_and_refuses_a_prompt_it_cannot_take(tmp_path, run_cli_here):
    array_path = tmp_path / "dcgan.npy"
    sampled = run_cli_here("sample", "checkpoints/dcgan-mnist", "--num", "5", "--seed", "3", "--out", array_path)
    assert sampled.returncode == 0, sampled.stderr
    array = np.load(array_path, allow_pickle=False)
    assert array.shape == (5, 1, 28, 28) and array.dtype == np.float32 and array.std() > 0.1
    for args, message in [(("--prompt", "7"), "takes no prompt"), (("--guidance", "2"), "not a guided diffusion"),
                          (("--out", tmp_path / "x.jpg"), r"\.png \(a grid\) or \.npy")]:
        refused = run_cli_here("sample", "checkpoints/dcgan-mnist", *args)
        assert refused.returncode == 2 and re.search(message, refused.stderr), refused.stderr


def test_generate_continues_the_prompt_the_same_way_for_the_same_seed(run_cli_here):
    folder = REPO_ROOT / "checkpoints" / "tiny-gpt-python-code"
    generated = run_cli_here("generate", folder, "--prompt", "import ", "--max-new-tokens", "8", "--seed", "1")
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.startswith("import ") and len(generated.stdout) > len("import \n")
    assert run_cli_here("generate", folder, "--prompt", "import ", "--max-new-tokens", "8", "--seed", "1").stdout == generated.stdout
    assert run_cli_here("generate", folder, "--prompt", "import ", "--max-new-tokens", "8", "--seed", "2").stdout != generated.stdout


@pytest.mark.slow
def test_train_tiny_gpt_then_generate_and_eval(tmp_path, run_cli_here):
    folder = tmp_path / "gpt"
    trained = run_cli_here("train", "tiny-gpt", "--corpus", "python-code", "--max-steps", "3", "--batch-size", "4",
                      "--block-size", "32", "--layers", "1", "--width", "32", "--vocab-size", "300",
                      "--device", "cpu", "--out", folder)
    assert trained.returncode == 0, trained.stderr
    assert "step 3/3" in trained.stdout and (folder / "tokenizer.json").is_file()
    generated = run_cli_here("generate", folder, "--prompt", "import ", "--max-new-tokens", "8", "--seed", "1")
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.startswith("import ") and len(generated.stdout) > len("import \n")
    again = run_cli_here("generate", folder, "--prompt", "import ", "--max-new-tokens", "8", "--seed", "1")
    assert again.stdout == generated.stdout
    evaluated = run_cli_here("eval", folder, "--corpus", "python-code")
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert figures["bits_per_char"] > 0 and 2 < figures["bigram_bits_per_char"] < 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "char-lstm", "--out", "OUT", "--corpus", "klingon"], "unknown text corpus 'klingon'"),
        (["train", "char-lstm", "--out", "OUT", "--vocab-size", "300"], "--vocab-size applies to tiny-gpt only"),
        (["train", "char-lstm", "--out", "OUT", "--tokenizer", "char"], "--tokenizer applies to tiny-gpt only"),
        (["train", "tiny-gpt", "--out", "OUT", "--tokenizer", "char", "--vocab-size", "300"],
         "a char tokenizer takes the corpus's characters"),
        (["train", "dcgan", "--out", "OUT", "--layers", "3"], "--layers applies to char-lstm, tiny-gpt only"),
        (["train", "char-lstm", "--out", "OUT", "--float32"], "--float32 applies to mlp-gan, dcgan, cdcgan, wgan-gp, stylegan, vae, ddpm only, not char-lstm"),
        (["train", "tiny-gpt", "--out", "OUT", "--width", "30", "--max-steps", "1"], "divisible by n_head"),
        (["generate", "checkpoints/dcgan-mnist"], "a dcgan does not generate text"),
    ],
)
def test_text_errors_are_one_clear_line(tmp_path, run_cli_here, args, message):
    test_errors_are_one_clear_line(tmp_path, run_cli_here, args, message)


def test_datasets_lists_what_is_here_and_why_not(tmp_path, monkeypatch, run_cli_here):
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "absent")
    result = run_cli_here("datasets")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert " yes " in lines["mnist"] and "embedded" in lines["mnist"]
    assert " no " in lines["fashion-mnist"] and "apt-get install dataset-fashion-mnist" in lines["fashion-mnist"]


def test_train_dcgan_on_a_zip_of_colour_images(tmp_path, run_cli_here):
    rng = np.random.default_rng(0)
    archive_path = tmp_path / "colour.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for index in range(40):
            buffer = io.BytesIO()
            Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)).save(buffer, format="PNG")
            archive.writestr(f"img{index}.png", buffer.getvalue())
    folder = tmp_path / "colour-dcgan"
    trained = run_cli_here("train", "dcgan", "--dataset", archive_path, "--image-size", "32", "--channels", "3",
                      "--max-steps", "2", "--batch-size", "16", "--device", "cpu", "--out", folder)
    assert trained.returncode == 0, trained.stderr
    assert "40 images, 32x32" in trained.stdout
    sampled = run_cli_here("sample", folder, "--num", "4", "--out", tmp_path / "grid.png")
    assert sampled.returncode == 0, sampled.stderr
    with Image.open(tmp_path / "grid.png") as grid:
        assert grid.mode == "RGB" and grid.size == (2 * 34 + 2, 2 * 34 + 2)


def test_out_of_memory_is_a_clear_message_with_a_smaller_batch(tmp_path, monkeypatch, run_cli_here):
    def out_of_memory(self, real_images, real_labels):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(GANTrainer, "training_step", out_of_memory)
    result = run_cli_here("train", "mlp-gan", "--out", tmp_path / "run", "--data-source", "embedded",
                          "--batch-size", "512", "--max-steps", "3")
    assert result.returncode == 2
    error = result.stderr
    assert "error: out of CPU memory at batch size 512: try 128 (the last saved checkpoint is kept)" in error


def test_latent_dim_reaches_the_model(tmp_path, run_cli_here):
    result = run_cli_here("train", "vae", "--out", str(tmp_path / "vae"), "--data-source", "embedded",
                     "--latent-dim", "4", "--max-steps", "2", "--batch-size", "16")
    assert result.returncode == 0, result.stderr
    config = json.loads((tmp_path / "vae" / "config.json").read_text())
    assert config["latent_dim"] == 4


def test_models_lists_every_shipped_folder_with_its_size(run_cli_here):
    result = run_cli_here("models")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    for folder in (REPO_ROOT / "checkpoints").iterdir():
        assert "shipped with genai-demo" in lines[folder.name]
    assert "1,292,021" in lines["dcgan-mnist"] and "5.0 MB" in lines["dcgan-mnist"]


def test_pull_and_push_refusals_are_one_line_errors(run_cli_here):
    pulled = run_cli_here("pull", "someone/not-cached")
    assert pulled.returncode == 2
    assert pulled.stderr.strip() == (
        "error: someone/not-cached is not in the local Hub cache and HF_HUB_OFFLINE is set: go online once to download it"
    )
    pushed = run_cli_here("push", REPO_ROOT / "checkpoints" / "dcgan-mnist", "me/dcgan")
    assert pushed.returncode == 2 and "HF_HUB_OFFLINE is set" in pushed.stderr and "Traceback" not in pushed.stderr


def test_repair_inpaints_upscales_and_refuses_bad_input_clearly(tmp_path, run_cli_here):
    import numpy as np
    from PIL import Image

    from genai_demo.data import load_image_dataset

    digit = load_image_dataset("mnist", split="test", source="embedded").images[7, 0].numpy()
    Image.fromarray(digit).save(tmp_path / "digit.png")
    mask = np.zeros((28, 28), np.uint8)
    mask[14:] = 255  # white: fill in the lower half
    Image.fromarray(mask).save(tmp_path / "mask.png")
    Image.fromarray(digit[::4, ::4]).save(tmp_path / "small.png")
    model = REPO_ROOT / "checkpoints" / "ddpm-mnist"
    result = run_cli_here("repair", model, "--task", "inpaint", "--image", tmp_path / "digit.png", "--mask",
                          tmp_path / "mask.png", "--steps", "3", "--num", "2", "--out", tmp_path / "filled.npy")
    assert result.returncode == 0, result.stderr
    filled = np.load(tmp_path / "filled.npy")
    assert filled.shape == (2, 1, 28, 28) and filled.dtype == np.float32
    kept = digit[:14].astype(np.float32) / 127.5 - 1
    assert np.allclose(filled[:, 0, :14], kept, atol=1e-5)  # the kept half is the image's own
    result = run_cli_here("repair", model, "--task", "upscale", "--image", tmp_path / "small.png", "--steps", "3",
                          "--method", "bicubic", "--out", tmp_path / "big.png")
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "big.png").size == (32, 32)  # one 28px image in a grid with its border
    refusals = [
        (["--task", "inpaint", "--image", tmp_path / "digit.png"], "--task inpaint needs --mask"),
        (["--task", "inpaint", "--image", tmp_path / "digit.png", "--mask", tmp_path / "small.png"],
         "the mask small.png is 7x7px but the image is 28x28px"),
        (["--task", "denoise", "--image", tmp_path / "missing.png"], "missing.png is not a file"),
        (["--task", "sketch", "--image", tmp_path / "digit.png", "--method", "repaint"],
         "method 'repaint' cannot do the sketch task"),
        (["--task", "denoise", "--image", tmp_path / "digit.png", "--sigma", "5"], "noise level"),
    ]
    for arguments, message in refusals:
        result = run_cli_here("repair", model, *arguments, "--out", tmp_path / "x.png")
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr, message


def test_eval_repair_measures_each_case_and_method_beside_its_baseline(tmp_path, run_cli_here):
    model = REPO_ROOT / "checkpoints" / "ddpm-mnist"
    result = run_cli_here("eval-repair", model, "--num", "20", "--steps", "4", "--data-source", "embedded",
                          "--cases", "inpaint-lower-half", "denoise-0.5", "--json", tmp_path / "repair.json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(row["case"], row["method"]) for row in rows] == [
        ("inpaint-lower-half", "ddnm"), ("inpaint-lower-half", "repaint"), ("inpaint-lower-half", "fill"),
        ("denoise-0.5", "diffusion"), ("denoise-0.5", "blur")]
    figures = {(row["case"], row["method"]): row for row in rows}
    assert all(row["images"] == 20 and 0 <= row["label_agreement"] <= 1 and -1 <= row["ssim"] <= 1 for row in rows)
    # Even in 4 steps the diffusion model denoises better than a blur (measured 24 dB against 18 at 50 steps).
    assert figures[("denoise-0.5", "diffusion")]["psnr_db"] > figures[("denoise-0.5", "blur")]["psnr_db"]
    assert json.loads((tmp_path / "repair.json").read_text())["rows"] == rows
    result = run_cli_here("eval-repair", model, "--cases", "colourise", "--data-source", "embedded")
    assert result.returncode != 0 and "unknown repair case 'colourise'" in result.stderr
    result = run_cli_here("eval-repair", REPO_ROOT / "checkpoints" / "classifier-mnist", "--data-source", "embedded")
    assert result.returncode != 0 and "repair needs an image generator" in result.stderr


def test_train_a_stylegan_then_mix_and_truncate(tmp_path, run_cli_here):
    folder = tmp_path / "stylegan"
    trained = run_cli_here("train", "stylegan", "--data-source", "embedded", "--max-steps", "2", "--batch-size", "16",
                           "--device", "cpu", "--out", folder, "--generator-features", "16", "--discriminator-features",
                           "8", "--latent-dim", "8", "--w-dim", "16", "--mapping-layers", "2", "--r1-gamma", "1",
                           "--style-mixing", "0.5")
    assert trained.returncode == 0, trained.stderr
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "stylegan" and config["w_dim"] == 16 and config["mapping_layers"] == 2
    assert "R1 gamma 1 every 16 steps, style mixing 0.5" in (folder / "README.md").read_text()

    mixed = run_cli_here("mix", folder, "--rows", "0", "1", "2", "--cols", "0", "1", "2", "--crossover", "2",
                         "--out", tmp_path / "mix.npy")
    assert mixed.returncode == 0, mixed.stderr
    assert "3 x 3 style-mixing grid (crossover at layer 2 of 5)" in mixed.stdout
    grid = np.load(tmp_path / "mix.npy")
    assert grid.shape == (9, 1, 28, 28) and grid.dtype == np.float32
    # Row-major, row seed coarse: with the same seeds both ways the diagonal is each seed unmixed,
    # the image `sample --num 1 --seed S` draws.
    for seed in range(3):
        sampled = run_cli_here("sample", folder, "--num", "1", "--seed", seed, "--out", tmp_path / "one.npy")
        assert sampled.returncode == 0, sampled.stderr
        assert np.allclose(grid[4 * seed], np.load(tmp_path / "one.npy")[0], atol=1e-5)  # batch of 9 vs 1: summation order
    assert not np.allclose(grid[1], grid[0], atol=1e-3)
    assert run_cli_here("mix", folder, "--rows", "0", "--cols", "1", "--out", tmp_path / "mix.png").returncode == 0
    assert Image.open(tmp_path / "mix.png").size == (2 + 2 * 30, 2 + 2 * 30)  # with the seeds' own images

    truncated = run_cli_here("sample", folder, "--num", "4", "--truncation", "0", "--out", tmp_path / "avg.npy")
    assert truncated.returncode == 0, truncated.stderr
    average = np.load(tmp_path / "avg.npy")
    assert np.allclose(average, average[:1], atol=1e-6)  # psi 0: every image is the average w's
    refusals = [
        (["mix", folder, "--rows", "0", "--cols", "1", "--crossover", "9"], "crossover layer (0 to 5)"),
        (["mix", REPO_ROOT / "checkpoints" / "dcgan-mnist", "--rows", "0", "--cols", "1"],
         "style mixing needs a style-based GAN"),
        (["sample", REPO_ROOT / "checkpoints" / "dcgan-mnist", "--truncation", "0.5"],
         "truncation and noise settings apply to style-based GANs"),
        (["sample", folder, "--truncation", "7"], "truncation (psi)"),
        (["mix", folder, "--rows", "0", "--cols", "1", "--out", tmp_path / "x.txt"], ".png"),
    ]
    for arguments, message in refusals:
        result = run_cli_here(*arguments)
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr, message
