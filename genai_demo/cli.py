"""Command line: `python -m genai_demo train|sample|generate|eval|repair|eval-repair|models|pull|push|datasets`
(see `--help` of each)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import signal
import sys
import threading
from pathlib import Path

import torch

from genai_demo import limits
from genai_demo.data import dataset_availability
from genai_demo.data.user_images import read_user_image, read_user_mask
from genai_demo.device import device_memory, out_of_memory_message, resolve_device
from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.evaluation import (
    eval_settings,
    evaluate_model_folder,
    save_eval_results,
)
from genai_demo.folders.registry import describe_model, discover_models, user_models_dir
from genai_demo.generation import Asked, load_cached_model, sample_batch, style_mixing, style_mixing_figure
from genai_demo.hub.hub_models import pull_model
from genai_demo.hub.push import push_model_folder
from genai_demo.images import make_grid, save_png
from genai_demo.io_utils import atomic_write_json, save_array
from genai_demo.metrics.quality import REFERENCES, shipped_classifier
from genai_demo.models.diffusion import DEFAULT_GUIDANCE
from genai_demo.repair import SCALES, TASKS, check_image_generator, run_repair
from genai_demo.repair import finish as finish_repair
from genai_demo.repair_evaluation import CASES as REPAIR_CASES
from genai_demo.data.toy2d import DATASETS as TOY_DATASETS
from genai_demo.training.playground import FAMILIES as PLAYGROUND_FAMILIES
from genai_demo.training.playground import PRESETS as PLAYGROUND_PRESETS
from genai_demo.training.playground import Playground, PlaygroundConfig, preset, unmet, write_summary
from genai_demo.repair_evaluation import evaluate_repairs
from genai_demo.text_generation import SamplingSettings, fit_prompt, stream_text
from genai_demo.train_args import (
    RaisingParser,
    add_train_arguments,
    check_family_options,
    checked,
)
from genai_demo.training import (
    CheckpointEvent,
    FinishedEvent,
    ProgressEvent,
    event_record,
)
from genai_demo.training.distributed import launched_as_main
from genai_demo.training.from_args import build_trainer


def add_jump_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jump-length", type=checked(limits.JUMP_LENGTH), default=5,
                        help="RePaint: steps it goes back at each jump (default 5)")
    parser.add_argument("--jump-samples", type=checked(limits.JUMP_SAMPLES), default=5,
                        help="RePaint: times each stretch is denoised, jumps included (default 5; 1: no resampling)")


def add_style_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--truncation", type=checked(limits.TRUNCATION), default=None, metavar="PSI",
                        help="style-based GANs: pull each w towards the average w (1: off, the default; 0.7 trades "
                             "variety for cleaner images)")
    parser.add_argument("--no-noise", action="store_true",
                        help="style-based GANs: switch off the per-layer noise inputs")


def build_parser(raise_errors: bool = False) -> argparse.ArgumentParser:
    """The CLI's parser; with `raise_errors` bad arguments raise InvalidInputError with argparse's
    own message instead of exiting. `train`'s flags come from `train_args`, which the job manager parses too."""
    parser_class = RaisingParser if raise_errors else argparse.ArgumentParser
    parser = parser_class(
        prog="python -m genai_demo", description="Train generative models and sample from them."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a model into a model folder",
        description="Train a model; the output folder is a loadable model folder after every save.",
    )
    add_train_arguments(train)

    sample = commands.add_parser(
        "sample", help="generate samples from a model folder: a PNG grid, or the raw array as .npy",
        description="Write a PNG grid of samples, or with --out FILE.npy the (N, C, H, W) float32 array in [-1, 1] "
                    "(to run your own metrics on).",
    )
    sample.add_argument("model_dir", type=Path, help="model folder (config.json + model.safetensors)")
    sample.add_argument("--num", type=checked(limits.NUM_SAMPLES), default=64, help="number of samples (default: 64)")
    sample.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    sample.add_argument("--out", type=Path, default=Path("samples.png"),
                        help="a .png grid or a .npy array to write (default: samples.png)")
    sample.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    sample.add_argument("--class", dest="class_label", default="all",
                        help="conditional models: a class index, or all (default: one row per class)")
    sample.add_argument("--prompt", default=None,
                        help="class-conditional diffusion models: what to draw, in English or Chinese "
                             "(\"a thin slanted 7\", \"一个粗的3\", \"sneaker\", \"运动鞋\")")
    sample.add_argument("--guidance", type=checked(limits.GUIDANCE), default=None,
                        help="class-conditional diffusion models: the classifier-free guidance scale "
                             "(0: unconditional, 1: plain conditional; default: the model's own, from its "
                             f"conditioning.json, else {DEFAULT_GUIDANCE:g})")
    add_style_options(sample)

    mix = commands.add_parser(
        "mix", help="style mixing with a style-based GAN: coarse styles from row seeds, fine from column seeds",
        description="Write StyleGAN's style-mixing grid: cell (i, j) takes row seed i's styles for the layers before "
                    "--crossover (the coarse ones) and column seed j's for the rest. A .png is the figure (the "
                    "seeds' own images along the top and left); a .npy is the (rows x cols, C, H, W) float32 array "
                    "in [-1, 1], row-major, so with the same seeds in rows and columns cell (i, i) is seed i unmixed.",
    )
    mix.add_argument("model_dir", type=Path, help="a style-based GAN folder (stylegan)")
    mix.add_argument("--rows", type=checked(limits.SEED), nargs="+", required=True, metavar="SEED",
                     help="seeds giving the coarse styles, one row each")
    mix.add_argument("--cols", type=checked(limits.SEED), nargs="+", required=True, metavar="SEED",
                     help="seeds giving the fine styles, one column each")
    mix.add_argument("--crossover", type=int, default=None,
                     help="the first layer styled by the column seed (default: the model's coarse/fine split, "
                          "the layers at the two smallest resolutions being coarse)")
    add_style_options(mix)
    mix.add_argument("--out", type=Path, default=Path("mixing.png"), help="a .png figure or a .npy array (default: mixing.png)")
    mix.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")

    repair_parser = commands.add_parser(
        "repair", help="repair an image with a model: inpaint, denoise, upscale or turn a sketch into an image",
        description="Repair one image with a diffusion model (DDNM, RePaint, ILVR, denoising from the matching "
                    "noise level, SDEdit), a VAE or GAN (latent inversion) or a plain baseline, and write the "
                    "repair as a PNG (with --num N, N repairs from seeds S, S+1, ... in a row) or, for .npy, "
                    "the raw (N, C, H, W) float32 array in [-1, 1].",
    )
    repair_parser.add_argument("model_dir", type=Path, help="model folder")
    repair_parser.add_argument("--task", choices=TASKS, required=True)
    repair_parser.add_argument("--image", type=Path, required=True,
                               help="PNG/JPEG: the damaged image (for upscale the small one; fitted to the "
                                    "model's size, or to that size / --scale)")
    repair_parser.add_argument("--mask", type=Path, default=None,
                               help="inpaint: a PNG of the image's size, white where the image is to be filled in")
    repair_parser.add_argument("--scale", type=int, choices=SCALES, default=4, help="upscale: 2 or 4 (default 4)")
    repair_parser.add_argument("--sigma", type=checked(limits.NOISE_SIGMA), default=0.5,
                               help="denoise: the noise's standard deviation, in units of the [-1, 1] pixel range "
                                    "(default 0.5)")
    repair_parser.add_argument("--strength", type=checked(limits.SKETCH_STRENGTH), default=0.5,
                               help="sketch: how far the drawing is noised before denoising (0-1, default 0.5)")
    repair_parser.add_argument("--method", default=None,
                               help="default: the model's best; diffusion: ddnm or repaint (inpaint), ddnm or ilvr "
                                    "(upscale), diffusion (denoise), sdedit (sketch); VAE/GAN: inversion; any model: "
                                    "fill, bicubic, blur, as-drawn")
    repair_parser.add_argument("--steps", type=checked(limits.INFERENCE_STEPS), default=50,
                               help="diffusion steps (default 50)")
    add_jump_options(repair_parser)
    repair_parser.add_argument("--num", type=checked(limits.REPAIR_COPIES), default=1,
                               help="repairs from consecutive seeds, to see how they vary (default 1)")
    repair_parser.add_argument("--candidates", type=checked(limits.REPAIR_CANDIDATES), default=1,
                               help="repair each image K times and keep the one most like the others, the "
                                    "likelier reading where the damage is ambiguous (default 1)")
    repair_parser.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    repair_parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    repair_parser.add_argument("--out", type=Path, required=True, help="a .png or .npy file")

    eval_repair = commands.add_parser(
        "eval-repair", help="measure a model's repairs on held-out images: label agreement, PSNR, SSIM, time",
        description="Repair held-out test images damaged in each case (lower half and centre box hidden, x4 and "
                    "x2 down-scaled, noise of sigma 0.5) with each method the model offers and the plain "
                    "baseline; print a row per case and method.",
    )
    eval_repair.add_argument("model_dir", type=Path, help="model folder")
    eval_repair.add_argument("--num", type=checked(limits.EVAL_SAMPLES), default=500,
                             help="held-out images (default 500)")
    eval_repair.add_argument("--cases", nargs="+", default=None, metavar="CASE",
                             help="default: all of " + ", ".join(REPAIR_CASES))
    eval_repair.add_argument("--methods", nargs="+", default=None, metavar="METHOD",
                             help="default: every method the model offers, and the baseline")
    eval_repair.add_argument("--dataset", default="mnist", help="mnist (default) or fashion-mnist")
    eval_repair.add_argument("--data-source", choices=("auto", "hub", "embedded", "debian"), default="auto")
    eval_repair.add_argument("--steps", type=checked(limits.INFERENCE_STEPS), default=50,
                             help="diffusion steps (default 50)")
    add_jump_options(eval_repair)
    eval_repair.add_argument("--candidates", type=checked(limits.REPAIR_CANDIDATES), default=1,
                             help="the model's methods keep the consensus of K repairs of each image (default 1)")
    eval_repair.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    eval_repair.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    eval_repair.add_argument("--json", type=Path, default=None, help="also write the rows to this JSON file")

    playground = commands.add_parser(
        "playground", help="train a family on a 2D distribution and write its coverage curves (the Playground tab)",
        description="Train a small GAN, WGAN-GP, spectrally normalised GAN, VAE or DDPM on 2D points and measure "
                    "it as it trains: modes covered and high-quality share (ring8, grid25) and the sliced "
                    "Wasserstein distance to the data. --preset runs one of the tab's presets.",
    )
    playground.add_argument("--preset", default=None, help="one of: " + ", ".join(PLAYGROUND_PRESETS))
    playground.add_argument("--family", default=None, help="one of: " + ", ".join(PLAYGROUND_FAMILIES) + " (default gan)")
    playground.add_argument("--dataset", default=None, help="one of: " + ", ".join(TOY_DATASETS) + " (default ring8)")
    playground.add_argument("--steps", type=checked(limits.PLAYGROUND_STEPS), default=None,
                            help="default: the preset's, else 5000")
    playground.add_argument("--seed", type=checked(limits.SEED), default=None, help="default: the preset's, else 0")
    playground.add_argument("--lr", type=float, default=None, help="the generator's (or only) learning rate")
    playground.add_argument("--d-lr", type=float, default=None, help="the discriminator's learning rate (GANs)")
    playground.add_argument("--n-critic", type=int, default=None, help="discriminator steps per generator step")
    playground.add_argument("--gp-weight", type=float, default=None, help="WGAN-GP's lambda (default 10)")
    playground.add_argument("--measure-every", type=checked(limits.PLAYGROUND_STEPS), default=100,
                            help="steps between measurements (default 100)")
    playground.add_argument("--measure-samples", type=checked(limits.MEASURE_SAMPLES), default=2000,
                            help="generated points per measurement (default 2000)")
    playground.add_argument("--json", type=Path, default=None, help="write the settings, figures and curves here")

    generate = commands.add_parser(
        "generate", help="generate text from a text model folder (streamed to the terminal)",
        description="Sample text from a char LSTM or a transformers causal LM folder.",
    )
    generate.add_argument("model_dir", type=Path, help="text model folder")
    generate.add_argument("--prompt", default="", help="text to continue (default: none)")
    generate.add_argument("--max-new-tokens", type=checked(limits.MAX_NEW_TOKENS), default=200)
    generate.add_argument("--temperature", type=checked(limits.TEMPERATURE), default=0.8, help="0: greedy (default 0.8)")
    generate.add_argument("--top-k", type=checked(limits.TOP_K), default=0, help="0: off (default)")
    generate.add_argument("--top-p", type=checked(limits.TOP_P), default=1.0, help="1: off (default)")
    generate.add_argument("--repetition-penalty", type=checked(limits.REPETITION_PENALTY), default=1.0)
    generate.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    generate.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")

    commands.add_parser(
        "datasets", help="list the image datasets and whether this machine has them",
        description="Which datasets can be used here, from where, and why not.",
    )

    commands.add_parser(
        "models", help="list the local models: shipped ones and your own",
        description="Every model folder the app lists, with family, dataset, parameters, size and source.",
    )
    pull = commands.add_parser(
        "pull", help="add a Hub model to your local models (safetensors, JSON, tokenizer and card files only)",
        description="Download a model from the Hugging Face Hub (or take it from the local Hub cache) into "
                    "$GENAI_DEMO_HOME/models/OWNER--NAME, where the app and the CLI find it.",
    )
    pull.add_argument("repo_id", help="Hub model id, e.g. google/ddpm-cifar10-32")
    pull.add_argument("--revision", default=None, help="branch, tag or commit (default: main)")
    push = commands.add_parser(
        "push", help="push a model folder to the Hub with a generated model card",
        description="Create the Hub repo if missing and commit the model files, a card written for the Hub "
                    "and its training curves. The token is read from HF_TOKEN.",
    )
    push.add_argument("model_dir", type=Path, help="model folder to push")
    push.add_argument("repo_id", help="Hub repo id, e.g. your-name/dcgan-mnist")
    push.add_argument("--private", action="store_true", help="create the repo as private")
    push.add_argument("--message", default=None, help="commit message")

    evaluate = commands.add_parser(
        "eval",
        help="measure a model folder: classifier-FID with its floor, or classifier accuracy",
        description="Print quality figures of a model folder as a table and as JSON.",
    )
    evaluate.add_argument("model_dir", type=Path, help="model folder to measure")
    evaluate.add_argument("--num", type=checked(limits.EVAL_SAMPLES), default=5000,
                          help="images per side (capped by the test split; default: 5000)")
    evaluate.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    evaluate.add_argument("--classifier", type=Path, default=None,
                          help="frozen classifier folder (default: the shipped checkpoints/classifier-DATASET)")
    evaluate.add_argument("--dataset", default="mnist", help="image dataset (default: mnist)")
    evaluate.add_argument("--corpus", default=None,
                          help="text models: the corpus whose held-out text is scored (default: the one in the card)")
    evaluate.add_argument("--data-source", choices=("auto", "hub", "embedded", "debian"), default="auto")
    evaluate.add_argument("--reference", choices=REFERENCES, default="test",
                          help="real images to compare with: test (default), the held-out split; train, every "
                               "other training image, the rest as the floor: for more images than the test split "
                               "holds (embedded MNIST: 500), with a copy check beside it")
    evaluate.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    evaluate.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    evaluate.add_argument("--no-save", action="store_true",
                          help="do not cache the figures in the model folder (eval_results.json)")
    return parser


def run_eval(args: argparse.Namespace) -> int:

    args.classifier = args.classifier or shipped_classifier(args.dataset)

    results = evaluate_model_folder(
        args.model_dir, args.classifier, args.num, args.seed, resolve_device(args.device),
        dataset_name=args.dataset, data_source=args.data_source, corpus_name=args.corpus, reference=args.reference,
    )
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value}")
    print(json.dumps(results))
    if args.json:
        atomic_write_json(args.json, results)
    if not args.no_save:

        try:
            settings = eval_settings(args.num, args.seed, args.dataset, args.classifier, args.corpus, results,
                                     args.reference)
            path = save_eval_results(args.model_dir, {**results, "settings": settings})
            print(f"cached in {path}", file=sys.stderr)
        except OSError as error:  # a read-only folder: the figures were printed, that is enough
            print(f"not cached in {args.model_dir}: {error.strerror or error}", file=sys.stderr)
    return 0


def run_train(args: argparse.Namespace, argv: list[str]) -> int:
    stop_event = threading.Event()
    log = (lambda line: print(line, flush=True)) if launched_as_main() else (lambda line: None)
    trainer = build_trainer(args, argv, stop_event, log=log)
    return _run_with_ctrl_c(trainer, stop_event, args)


def _print_event(event, trainer, as_json: bool) -> None:

    if as_json:
        record = event_record(event)
        if isinstance(event, ProgressEvent):
            record.update(device_memory(trainer.device))
        print(json.dumps(record), flush=True)
    elif isinstance(event, ProgressEvent):
        losses = "  ".join(f"{name} {value:.3f}" for name, value in event.losses.items())
        epoch = f"  epoch {event.epoch}" if hasattr(trainer, "steps_per_epoch") else ""
        print(f"step {event.step}/{event.total_steps}{epoch}  {losses}  {event.samples_per_second:.0f} samples/s",
              flush=True)
    elif isinstance(event, CheckpointEvent):
        print(f"saved {event.folder} at step {event.step}", flush=True)
    elif isinstance(event, FinishedEvent):
        if event.stopped:
            print(f"stopped at step {event.step}; continue with: --out {event.folder} --resume", flush=True)
        else:
            print(f"done: {event.step} steps in {event.summary['elapsed_seconds']} s -> {event.folder}", flush=True)


def _run_with_ctrl_c(trainer, stop_event: threading.Event, args: argparse.Namespace) -> int:
    """Print the trainer's events; the first Ctrl-C (SIGINT) or SIGTERM stops after the current step and saves."""

    def request_stop(signum, frame):
        print("\nstopping after this step and saving (Ctrl-C again to abort without saving)", flush=True)
        stop_event.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    on_main_thread = threading.current_thread() is threading.main_thread()
    earlier = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)} if on_main_thread else {}
    for number in earlier:  # SIGTERM (`kill`, `docker stop`): the same stop, with a saved checkpoint
        signal.signal(number, request_stop)
    try:
        return _print_events(trainer, stop_event, args)
    finally:  # a caller in the same process (tests, scripts) gets its own handlers back
        for number, handler in earlier.items():
            signal.signal(number, handler)


def _print_events(trainer, stop_event: threading.Event, args: argparse.Namespace) -> int:
    main = trainer.processes.is_main  # under `accelerate launch`, one process reports for all
    processes = trainer.processes.count
    if processes > 1 and main:
        print(f"{processes} processes (HF Accelerate, data parallel): batch {trainer.config.batch_size} = "
              f"{processes} x {trainer.config.batch_size // processes}", flush=True)
    if trainer.step and main:
        print(f"resuming {args.out} at step {trainer.step}", flush=True)
    try:
        for event in trainer.train():
            if main:
                _print_event(event, trainer, args.events_json)
    except torch.OutOfMemoryError:
        raise InvalidInputError(out_of_memory_message(trainer.device.type.upper(), trainer.config.batch_size)) from None
    return 0


def run_generate(args: argparse.Namespace) -> int:

    settings = SamplingSettings(args.max_new_tokens, args.temperature, args.top_k, args.top_p,
                                args.repetition_penalty, args.seed)
    model = load_cached_model(args.model_dir, resolve_device(args.device))
    prompt, notice = fit_prompt(args.prompt)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    shown = ""
    sys.stdout.write(prompt)
    for text in stream_text(model, prompt, settings):
        sys.stdout.write(text[len(shown):] if text.startswith(shown) else "\n" + text)
        sys.stdout.flush()
        shown = text
    sys.stdout.write("\n")
    return 0


def check_png_or_npy(out: Path) -> None:
    """`--out` of sample and repair: a PNG grid or the raw array."""
    if out.is_dir():
        raise InvalidInputError(f"--out {out} is a folder; give a .png or .npy file name")
    if out.suffix.lower() not in (".png", ".npy"):
        raise InvalidInputError(f"--out must end in .png (a grid) or .npy (the array), got {out}")


def run_sample(args: argparse.Namespace) -> int:

    check_png_or_npy(args.out)
    if args.prompt is not None and args.class_label != "all":
        raise InvalidInputError("give --class or --prompt, not both")
    asked = Asked(args.class_label, args.prompt, args.guidance, args.truncation, not args.no_noise)
    images, columns = sample_batch(args.model_dir, args.num, args.seed, resolve_device(args.device), asked)
    if args.out.suffix.lower() == ".npy":
        save_array(images.float().cpu().numpy(), args.out)
    else:
        grid = make_grid(images, num_columns=columns) if columns else make_grid(images)
        save_png(grid, args.out, {"model": str(args.model_dir), "seed": str(args.seed), "num": str(args.num)})
    print(f"wrote {len(images)} samples (seed {args.seed}) to {args.out}")
    return 0


def run_mix(args: argparse.Namespace) -> int:
    check_png_or_npy(args.out)
    device = resolve_device(args.device)
    model = load_cached_model(args.model_dir, device)
    crossover = args.crossover if args.crossover is not None else getattr(model, "default_crossover", 0)
    mix = style_mixing(args.model_dir, args.rows, args.cols, crossover, device, args.truncation, not args.no_noise)
    if args.out.suffix.lower() == ".npy":
        save_array(mix.images.float().cpu().numpy(), args.out)
    else:
        save_png(style_mixing_figure(mix), args.out,
                 {"model": str(args.model_dir), "rows": " ".join(map(str, args.rows)),
                  "cols": " ".join(map(str, args.cols)), "crossover": str(mix.crossover)})
    print(f"wrote a {len(args.rows)} x {len(args.cols)} style-mixing grid (crossover at layer {mix.crossover} of "
          f"{model.num_ws}) to {args.out}")
    return 0


def run_repair_command(args: argparse.Namespace) -> int:
    check_png_or_npy(args.out)
    if args.mask is not None and args.task != "inpaint":
        raise InvalidInputError("--mask applies to --task inpaint only")
    if args.task == "inpaint" and args.mask is None:
        raise InvalidInputError("--task inpaint needs --mask: a PNG of the image's size, white where to fill in")
    device = resolve_device(args.device)
    model = load_cached_model(args.model_dir, device)
    check_image_generator(model, args.model_dir)
    config = model.config
    size = config.image_size // args.scale if args.task == "upscale" else config.image_size
    image = read_user_image(args.image, size, config.image_channels).to(device)
    known = read_user_mask(args.mask, size).to(device) if args.mask is not None else None
    images = torch.cat([
        finish_repair(run_repair(model, args.task, image, known, args.method, args.scale, args.sigma, args.strength,
                                 seed, args.steps, jump_length=args.jump_length,
                                 jump_n_sample=args.jump_samples, candidates=args.candidates)).cpu()
        for seed in range(args.seed, args.seed + args.num)])
    if args.out.suffix.lower() == ".npy":
        save_array(images.float().numpy(), args.out)
    else:
        save_png(make_grid(images, num_columns=len(images)), args.out,
                 {"model": str(args.model_dir), "task": args.task, "seed": str(args.seed)})
    print(f"wrote {len(images)} repair(s) ({args.task}, seed {args.seed}) to {args.out}")
    return 0


def run_eval_repair(args: argparse.Namespace) -> int:
    rows = evaluate_repairs(args.model_dir, args.dataset, args.data_source, args.num, args.cases, args.methods,
                            args.seed, args.steps, resolve_device(args.device), jump_length=args.jump_length,
                            jump_n_sample=args.jump_samples, candidates=args.candidates,
                            progress=lambda what: print(f"repairing: {what}", file=sys.stderr, flush=True))
    print(f"{'case':<20} {'method':<10} {'candidates':>10} {'images':>6} {'label agreement':>15} {'PSNR dB':>8} {'SSIM':>6} "
          f"{'s/image':>8}")
    for row in rows:
        print(f"{row['case']:<20} {row['method']:<10} {row['candidates']:>10} {row['images']:>6} {row['label_agreement']:>15.1%} "
              f"{row['psnr_db']:>8.2f} {row['ssim']:>6.3f} {row['seconds_per_image']:>8.3f}")
    print(json.dumps(rows))
    if args.json:
        atomic_write_json(args.json, {"model": str(args.model_dir), "rows": rows})
    return 0


def run_hub_command(args: argparse.Namespace) -> int:

    if args.command == "pull":

        print(f"pulled into {pull_model(args.repo_id, user_models_dir(), revision=args.revision)}")
    elif args.command == "push":

        url = push_model_folder(args.model_dir, args.repo_id, private=args.private, commit_message=args.message)
        print(f"pushed {args.model_dir} to {args.repo_id}: {url}")
    else:
        for entry in discover_models():
            details = describe_model(entry)
            print(f"{entry.name:<28} {details.family:<44} {details.dataset:<22} "
                  f"{details.parameters:>11,}  {details.size_bytes / 2**20:6.1f} MB  {details.source}")
    return 0


def run_playground(args: argparse.Namespace) -> int:

    chosen = preset(args.preset) if args.preset else None
    if chosen is not None and args.family in (None, chosen.config.family):
        config = chosen.config
    else:  # no preset, or another family than the preset's: that family's default rates and n_critic
        config = PlaygroundConfig(family=args.family or PLAYGROUND_FAMILIES[0], dataset=chosen.config.dataset if chosen else "ring8",
                                  seed=chosen.config.seed if chosen else 0)
    changes = {"dataset": args.dataset, "seed": args.seed, "learning_rate": args.lr, "discriminator_lr": args.d_lr,
               "n_critic": args.n_critic, "gradient_penalty_weight": args.gp_weight}
    config = dataclasses.replace(config, **{key: value for key, value in changes.items() if value is not None})
    steps = args.steps if args.steps is not None else (chosen.iterations if chosen else 5000)
    if args.measure_every > steps:
        raise InvalidInputError(f"--measure-every ({args.measure_every:,}) must not exceed the steps ({steps:,})")
    result = Playground(config).run(steps, args.measure_every, args.measure_samples)  # trains on one thread
    figures = result["figures"]
    final = figures["final"]
    line = f"{config.family} on {result['dataset']}, {steps:,} steps, seed {config.seed}: "
    if final["modes"] is not None:
        line += f"modes covered {final['modes_covered']}/{final['modes']}, high quality {100 * final['high_quality']:.1f}%, "
        if "fewest_modes_since" in figures:
            fewest = figures["fewest_modes_since"]
            line += (f"(all {final['modes']} first covered at step {figures['all_modes_first_covered_at']:,}; fewest since: "
                     f"{fewest['modes_covered']} at step {fewest['step']:,}, {100 * fewest['high_quality']:.0f}% high quality), ")
    line += f"sliced Wasserstein {final['sliced_wasserstein']:.3f}; {figures['iterations_per_second']:.0f} steps/s"
    print(line)
    if chosen is not None and config == chosen.config and steps == chosen.iterations:
        result["claims_unmet"] = unmet(chosen.claims, result)
        print("the preset's claims hold" if not result["claims_unmet"]
              else "the preset's claims do not all hold: " + "; ".join(result["claims_unmet"]))
    if args.json:
        print(f"wrote {write_summary(result, args.json)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.command == "train":
            return run_train(check_family_options(args), argv)
        if args.command == "eval":
            return run_eval(args)
        if args.command == "generate":
            return run_generate(args)
        if args.command == "repair":
            return run_repair_command(args)
        if args.command == "mix":
            return run_mix(args)
        if args.command == "eval-repair":
            return run_eval_repair(args)
        if args.command == "playground":
            return run_playground(args)
        if args.command in ("models", "pull", "push"):
            return run_hub_command(args)
        if args.command == "datasets":
            for name, available, detail in dataset_availability():
                print(f"{name:<14} {'yes' if available else 'no ':<4} {detail}")
            return 0
        return run_sample(args)
    except GenaiDemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C, or one before training started
        print("interrupted: nothing more was saved", file=sys.stderr)
        return 130
