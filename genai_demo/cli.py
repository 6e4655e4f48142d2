"""Command line: `python -m genai_demo train|sample ...` (see `--help` of each)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shlex
import signal
import sys
import threading
from pathlib import Path

from genai_demo import limits
from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.training.events import ProgressEvent

TRAINABLE_MODELS = ("dcgan", "mlp-gan", "cdcgan", "wgan-gp", "vae", "ddpm", "classifier", "char-lstm", "tiny-gpt")
TEXT_MODELS = ("char-lstm", "tiny-gpt")


def _checked(value_range: limits.IntRange | limits.FloatRange):
    """argparse `type=` that applies the shared range, so the CLI and the UI agree."""

    def parse(text: str):
        try:
            return value_range.check(text)
        except InvalidInputError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = value_range.label  # argparse names the type in its message
    return parse


class _RaisingParser(argparse.ArgumentParser):
    """A parser that raises InvalidInputError instead of printing usage and exiting (for the app)."""

    def error(self, message: str):
        raise InvalidInputError(message)


def build_parser(raise_errors: bool = False) -> argparse.ArgumentParser:
    """The CLI's parser; with `raise_errors` (the app's job manager) bad arguments raise
    InvalidInputError with argparse's own message instead of exiting."""
    parser_class = _RaisingParser if raise_errors else argparse.ArgumentParser
    parser = parser_class(
        prog="python -m genai_demo", description="Train generative models and sample from them."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a model into a model folder",
        description="Train a model; the output folder is a loadable model folder after every save.",
    )
    train.add_argument("model", choices=TRAINABLE_MODELS, help="model family to train")
    train.add_argument("--dataset", default="mnist",
                       help="mnist (default), fashion-mnist, or a folder / .zip of your PNG/JPEG images "
                       "(sub-folders are classes); `python -m genai_demo datasets` lists what is here")
    train.add_argument("--image-size", type=int, choices=(28, 32, 64), default=28,
                       help="your images are resized to this (default: 28)")
    train.add_argument("--channels", type=int, choices=(1, 3), default=1,
                       help="your images become grayscale (1, default) or RGB (3)")
    train.add_argument(
        "--data-source",
        choices=("auto", "hub", "embedded", "debian"),
        default="auto",
        help="auto (default): mnist from the Hub or its cache, else embedded; fashion-mnist from Debian's "
        "package, else the Hub",
    )
    train.add_argument("--out", required=True, type=Path, help="output model folder")
    train.add_argument("--epochs", type=_checked(limits.EPOCHS), default=None,
                       help="epochs (default: 25; 8 for the classifier)")
    train.add_argument(
        "--max-steps", type=_checked(limits.MAX_STEPS), default=None, help="stop after this many steps in all"
    )
    train.add_argument("--batch-size", type=_checked(limits.BATCH_SIZE), default=64, help="default: 64")
    train.add_argument("--lr", type=_checked(limits.LEARNING_RATE), default=None,
                       help="Adam learning rate (default: 2e-4 for GANs, 1e-4 for wgan-gp, 1e-3 for vae and classifier)")
    train.add_argument("--seed", type=_checked(limits.SEED), default=0, help="default: 0")
    train.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    train.add_argument(
        "--sample-every", type=_checked(limits.SAMPLE_EVERY), default=200, help="fixed-noise grid every N steps"
    )
    train.add_argument(
        "--save-every", type=_checked(limits.SAVE_EVERY), default=1000, help="checkpoint every N steps"
    )
    train.add_argument("--log-every", type=_checked(limits.LOG_EVERY), default=20,
                       help="average and report the losses every N steps (default: 20)")
    train.add_argument("--eval-every", type=_checked(limits.EVAL_EVERY), default=None,
                       help="measure sample quality every N steps: classifier-FID (and its floor, and class accuracy "
                       "for cdcgan) for image models, keeping the best model in OUT/best; validation bits per "
                       "character for text models (default: off for images, 250 for text)")
    train.add_argument("--eval-samples", type=_checked(limits.EVAL_SAMPLES), default=1000,
                       help="images generated per evaluation (default: 1000)")
    train.add_argument("--eval-classifier", type=Path, default=None,
                       help="frozen classifier folder for classifier-FID (default: the shipped classifier of the dataset)")
    train.add_argument("--latent-dim", type=_checked(limits.LATENT_DIM), default=None,
                       help="GANs and vae: size of the latent vector (default: 100 for GANs, 16 for the vae)")
    train.add_argument("--generator-features", type=_checked(limits.NETWORK_FEATURES), default=None, metavar="F",
                       help="dcgan, cdcgan, wgan-gp: the generator's width, 2F feature maps at the smallest "
                            "resolution down to F (default 64)")
    train.add_argument("--discriminator-features", type=_checked(limits.NETWORK_FEATURES), default=None,
                       metavar="F", help="dcgan, cdcgan: the discriminator's width, F then 2F feature maps (default 64)")
    train.add_argument("--kl-weight", type=_checked(limits.KL_WEIGHT), default=None,
                       help="vae only: beta, the weight of the KL term (default: 1, the true ELBO)")
    train.add_argument("--spectral-norm", action="store_true",
                       help="wgan-gp and dcgan: spectral normalisation on the critic's / discriminator's "
                            "convolutions (Miyato et al. 2018; replaces the DCGAN discriminator's batch norm)")
    train.add_argument("--augment", action="store_true",
                       help="dcgan, mlp-gan, cdcgan: DiffAugment translation on the discriminator's inputs "
                       "(Zhao et al. 2020), for small datasets")
    train.add_argument("--categorical-code", type=int, default=None, metavar="N",
                       help="dcgan only: an InfoGAN categorical code of N values in the latent, which D must "
                            "recover (with no labels it comes to pick the digit; default: none)")
    train.add_argument("--clusters", type=_checked(limits.CLUSTERS), default=None, metavar="K",
                       help="dcgan only: self-conditioned on K k-means clusters of the training images "
                            "(Liu et al. 2020), drawn in proportion to their sizes so no digit is under-drawn; "
                            "no labels are used (default: none)")
    train.add_argument("--pack", type=int, default=None,
                       help="dcgan only: the discriminator judges this many images at once (PacGAN; default 1)")
    train.add_argument("--minibatch-std", action="store_true",
                       help="dcgan only: a minibatch standard-deviation feature in the discriminator "
                       "(Karras et al. 2018) against mode collapse and class imbalance")
    train.add_argument("--class-conditional", action="store_true",
                       help="ddpm only: a class embedding added to the timestep embedding")
    train.add_argument("--unet-channels", default=None, metavar="C1,C2,...",
                       help="ddpm only: channels of each UNet stage (default: 32,64,64); "
                       "the image size must divide by 2^(stages - 1)")
    train.add_argument("--ema-decay", type=_checked(limits.EMA_DECAY), default=None,
                       help="keep a moving average of the generating weights (diffusers' EMAModel) and save it; "
                       "default: 0.999 for ddpm, none for the others")
    train.add_argument("--float32", action="store_true",
                       help="train in float32 throughout; by default image models (but WGAN-GP, and the DDPM on a "
                       "CPU) run their networks under bfloat16 autocast where that is faster: CUDA, and CPUs "
                       "with AVX-512 BF16 or AMX instructions")
    text = train.add_argument_group("text models (char-lstm, tiny-gpt)")
    text.add_argument("--corpus", default="python-code",
                      help="python-code (default), fortunes, tang-poems, song-ci, hub:owner/name, or a UTF-8 .txt file")
    text.add_argument("--block-size", type=_checked(limits.BLOCK_SIZE), default=128,
                      help="tokens per training window (the LSTM's truncated-BPTT length; default: 128)")
    text.add_argument("--layers", type=int, default=None, help="LSTM layers (default 2) / transformer blocks (default 4)")
    text.add_argument("--width", type=int, default=None,
                      help="LSTM hidden size (default 256) / transformer width n_embd (default 128)")
    text.add_argument("--vocab-size", type=int, default=None, help="tiny-gpt only: BPE vocabulary size (default 512)")
    text.add_argument("--tokenizer", choices=("byte-bpe", "char"), default=None,
                      help="tiny-gpt only: byte-level BPE (default) or one token per character (for Chinese)")
    text.add_argument("--dropout", type=float, default=None,
                      help="dropout probability (default: 0.1 between LSTM layers, 0 in the tiny GPT)")
    train.add_argument(
        "--resume", action="store_true", help="continue the run in --out from its saved state"
    )
    train.add_argument("--events-json", action="store_true",
                       help="print each training event as one JSON object per line (what the app's Train tab reads)")

    sample = commands.add_parser(
        "sample", help="generate a grid of samples from a model folder", description="Write a PNG grid of samples."
    )
    sample.add_argument("model_dir", type=Path, help="model folder (config.json + model.safetensors)")
    sample.add_argument("--num", type=_checked(limits.NUM_SAMPLES), default=64, help="number of samples (default: 64)")
    sample.add_argument("--seed", type=_checked(limits.SEED), default=0, help="default: 0")
    sample.add_argument("--out", type=Path, default=Path("samples.png"), help="PNG to write (default: samples.png)")
    sample.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    sample.add_argument("--class", dest="class_label", default="all",
                        help="conditional models: a class index, or all (default: one row per class)")

    generate = commands.add_parser(
        "generate", help="generate text from a text model folder (streamed to the terminal)",
        description="Sample text from a char LSTM or a transformers causal LM folder.",
    )
    generate.add_argument("model_dir", type=Path, help="text model folder")
    generate.add_argument("--prompt", default="", help="text to continue (default: none)")
    generate.add_argument("--max-new-tokens", type=_checked(limits.MAX_NEW_TOKENS), default=200)
    generate.add_argument("--temperature", type=_checked(limits.TEMPERATURE), default=0.8, help="0: greedy (default 0.8)")
    generate.add_argument("--top-k", type=_checked(limits.TOP_K), default=0, help="0: off (default)")
    generate.add_argument("--top-p", type=_checked(limits.TOP_P), default=1.0, help="1: off (default)")
    generate.add_argument("--repetition-penalty", type=_checked(limits.REPETITION_PENALTY), default=1.0)
    generate.add_argument("--seed", type=_checked(limits.SEED), default=0, help="default: 0")
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
    evaluate.add_argument("--num", type=_checked(limits.EVAL_SAMPLES), default=5000,
                          help="images per side (capped by the test split; default: 5000)")
    evaluate.add_argument("--seed", type=_checked(limits.SEED), default=0, help="default: 0")
    evaluate.add_argument("--classifier", type=Path, default=None,
                          help="frozen classifier folder (default: the shipped checkpoints/classifier-DATASET)")
    evaluate.add_argument("--dataset", default="mnist", help="image dataset (default: mnist)")
    evaluate.add_argument("--corpus", default=None,
                          help="text models: the corpus whose held-out text is scored (default: the one in the card)")
    evaluate.add_argument("--data-source", choices=("auto", "hub", "embedded", "debian"), default="auto")
    evaluate.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    evaluate.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    evaluate.add_argument("--no-save", action="store_true",
                          help="do not cache the figures in the model folder (eval_results.json)")
    return parser


def run_eval(args: argparse.Namespace) -> int:
    from genai_demo.device import resolve_device
    from genai_demo.evaluation import evaluate_model_folder
    from genai_demo.io_utils import atomic_write_json
    from genai_demo.metrics.quality import shipped_classifier

    args.classifier = args.classifier or shipped_classifier(args.dataset)

    results = evaluate_model_folder(
        args.model_dir, args.classifier, args.num, args.seed, resolve_device(args.device),
        dataset_name=args.dataset, data_source=args.data_source, corpus_name=args.corpus,
    )
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value}")
    print(json.dumps(results))
    if args.json:
        atomic_write_json(args.json, results)
    if not args.no_save:
        from genai_demo.evaluation import eval_settings, save_eval_results

        try:
            settings = eval_settings(args.num, args.seed, args.dataset, args.classifier, args.corpus, results)
            path = save_eval_results(args.model_dir, {**results, "settings": settings})
            print(f"cached in {path}", file=sys.stderr)
        except OSError as error:  # a read-only folder: the figures were printed, that is enough
            print(f"not cached in {args.model_dir}: {error.strerror or error}", file=sys.stderr)
    return 0


def run_train_classifier(args: argparse.Namespace, argv: list[str]) -> int:
    from genai_demo.data import load_image_dataset
    from genai_demo.device import resolve_device
    from genai_demo.training.classifier_trainer import ClassifierTrainer, ClassifierTrainingConfig

    device = resolve_device(args.device)
    train_set = load_image_dataset(args.dataset, split="train", source=args.data_source)
    test_set = load_image_dataset(args.dataset, split="test", source=args.data_source)
    print(f"data: {train_set.source}; device: {device}", flush=True)
    config = ClassifierTrainingConfig(
        epochs=args.epochs or 8, batch_size=args.batch_size, learning_rate=args.lr or 1e-3, seed=args.seed
    )
    trainer = ClassifierTrainer(
        train_set, test_set, args.out, config, device=device, command="python -m genai_demo " + shlex.join(argv)
    )
    for event in trainer.train():
        if isinstance(event, ProgressEvent):
            print(f"epoch {event.epoch}/{config.epochs}  loss {event.losses['loss']:.4f}  "
                  f"test accuracy {event.losses['test_accuracy']:.4f}", flush=True)
    print(f"saved {args.out}", flush=True)
    return 0


def diffusion_model_config(args: argparse.Namespace, dataset):
    from genai_demo.models.diffusion import DiffusionConfig

    settings = dict(image_channels=dataset.image_channels, image_size=dataset.image_size)
    if args.class_conditional:
        if len(dataset.class_names) < 2:
            raise InvalidInputError("--class-conditional needs a dataset with at least two classes")
        settings["num_class_embeds"] = len(dataset.class_names)
    if args.unet_channels:
        try:
            settings["block_out_channels"] = [int(part) for part in args.unet_channels.split(",")]
        except ValueError:
            raise InvalidInputError(f"--unet-channels must be numbers separated by commas, got {args.unet_channels!r}") from None
    try:
        return DiffusionConfig(**settings)
    except ValueError as error:
        raise InvalidInputError(str(error)) from None


def build_text_trainer(args: argparse.Namespace, argv: list[str], stop_event: threading.Event, log=print):
    from genai_demo.data.text import load_text_corpus
    from genai_demo.device import resolve_device
    from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig

    if args.latent_dim is not None:
        raise InvalidInputError("--latent-dim applies to the GANs and the vae only")
    if args.float32:
        raise InvalidInputError("--float32 applies to the image models only: the text models always train in float32")
    device = resolve_device(args.device)
    corpus = load_text_corpus(args.corpus)
    log(f"data: {corpus.source}; device: {device}")
    settings = {}
    if args.layers is not None:
        settings["num_layers" if args.model == "char-lstm" else "n_layer"] = args.layers
    if args.width is not None:
        settings["hidden_size" if args.model == "char-lstm" else "n_embd"] = args.width
    if args.dropout is not None:
        settings["dropout"] = args.dropout
    if args.vocab_size is not None:
        if args.model != "tiny-gpt":
            raise InvalidInputError("--vocab-size applies to tiny-gpt only")
        settings["vocab_size"] = args.vocab_size
    if args.tokenizer is not None:
        if args.model != "tiny-gpt":
            raise InvalidInputError("--tokenizer applies to tiny-gpt only")
        if args.tokenizer == "char" and args.vocab_size is not None:
            raise InvalidInputError("--vocab-size sets the BPE vocabulary: a char tokenizer takes the corpus's characters")
        settings["tokenizer"] = args.tokenizer
    config = TextTrainingConfig(
        corpus=args.corpus, max_steps=args.max_steps or 2000, batch_size=args.batch_size, block_size=args.block_size,
        learning_rate=args.lr or (2e-3 if args.model == "char-lstm" else 1e-3), seed=args.seed,
        save_every=args.save_every, log_every=args.log_every, sample_every=args.sample_every,
        **({"eval_every": args.eval_every} if args.eval_every else {}),
    )
    try:
        return TextTrainer(corpus, args.out, config, args.model, settings, device, args.resume, stop_event,
                           command="python -m genai_demo " + shlex.join(argv))
    except ValueError as error:  # a model setting out of range
        raise InvalidInputError(str(error)) from None


def build_trainer(args: argparse.Namespace, argv: list[str], stop_event: threading.Event, log=print):
    """The trainer that `train` runs, from parsed arguments: shared by the CLI and the app's jobs,
    so both accept and refuse exactly the same settings."""
    from genai_demo.data import load_image_dataset
    from genai_demo.device import resolve_device
    from genai_demo.training import GANTrainer, VAETrainer, WGANGPTrainer

    if args.model == "classifier":
        raise InvalidInputError("the classifier is trained with `python -m genai_demo train classifier` only")
    if args.model in TEXT_MODELS:
        return build_text_trainer(args, argv, stop_event, log)
    text_only = {"--layers": args.layers, "--width": args.width, "--vocab-size": args.vocab_size,
                 "--tokenizer": args.tokenizer, "--dropout": args.dropout}
    for flag, value in text_only.items():
        if value is not None:
            raise InvalidInputError(f"{flag} applies to char-lstm and tiny-gpt only")
    if args.latent_dim is not None and args.model == "ddpm":
        raise InvalidInputError("--latent-dim applies to the GANs and the vae only (a ddpm's latent is an image)")
    device = resolve_device(args.device)
    dataset = load_image_dataset(args.dataset, split="train", source=args.data_source,
                                 image_size=args.image_size, channels=args.channels)
    log(f"data: {dataset.source}; device: {device}")
    if args.model == "ddpm":
        from genai_demo.training.diffusion_trainer import DiffusionTrainer  # diffusers loads only when needed

        trainer_class = DiffusionTrainer
    else:
        trainer_class = {"vae": VAETrainer, "wgan-gp": WGANGPTrainer}.get(args.model, GANTrainer)
    settings = dict(
        dataset=args.dataset,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        seed=args.seed,
        log_every=args.log_every,
        sample_every=args.sample_every,
        save_every=args.save_every,
        eval_every=args.eval_every or 0,
    )
    if args.kl_weight is not None and args.model != "vae":
        raise InvalidInputError("--kl-weight applies to the vae only")
    if args.augment:
        if trainer_class is not GANTrainer:
            raise InvalidInputError("--augment applies to dcgan, mlp-gan and cdcgan only")
        settings["augment"] = True
    # Unset flags keep the family's own defaults (e.g. lr 2e-4 for GANs, 1e-3 for the VAE).
    diffusion_only = {"--class-conditional": args.class_conditional, "--unet-channels": args.unet_channels}
    for flag, given in diffusion_only.items():
        if given and args.model != "ddpm":
            raise InvalidInputError(f"{flag} applies to ddpm only")
    for name, value in (("epochs", args.epochs), ("learning_rate", args.lr), ("kl_weight", args.kl_weight),
                        ("ema_decay", args.ema_decay)):
        if value is not None:
            settings[name] = value
    if args.float32:
        settings["mixed_precision"] = False
    config = trainer_class.config_class(**settings)
    model_config = None
    if args.model == "ddpm" and not args.resume:
        model_config = diffusion_model_config(args, dataset)
    # Architecture settings: (flag, value, the families it applies to, its config field).
    architecture = {}
    for flag, value, families, field_name in (
        ("--spectral-norm", args.spectral_norm or None, ("wgan-gp", "dcgan"), "spectral_norm"),
        ("--minibatch-std", args.minibatch_std or None, ("dcgan",), "minibatch_std"),
        ("--pack", args.pack, ("dcgan",), "pack"),
        ("--categorical-code", args.categorical_code, ("dcgan",), "categorical_code"),
        ("--clusters", args.clusters, ("dcgan",), "clusters"),
        ("--latent-dim", args.latent_dim, ("dcgan", "mlp-gan", "cdcgan", "wgan-gp", "vae"), "latent_dim"),
        ("--generator-features", args.generator_features, ("dcgan", "cdcgan", "wgan-gp"), "generator_features"),
        ("--discriminator-features", args.discriminator_features, ("dcgan", "cdcgan"), "discriminator_features"),
    ):
        if value is None:
            continue
        if args.model not in families:
            raise InvalidInputError(f"{flag} applies to {', '.join(families)} only")
        architecture[field_name] = value
    if (args.pack or 1) > args.batch_size:
        raise InvalidInputError(f"--pack {args.pack} needs a batch of at least {args.pack} images (--batch-size)")
    if architecture and not args.resume:
        from genai_demo.models import MODEL_CLASSES

        model_class = MODEL_CLASSES[args.model]
        shape = dict(image_channels=dataset.image_channels, image_size=dataset.image_size)
        if "num_classes" in {field.name for field in dataclasses.fields(model_class.config_class)}:
            shape["num_classes"] = len(dataset.class_names)
        try:
            model_config = model_class.config_class(**shape, **architecture)
        except ValueError as error:  # an architecture setting out of range
            raise InvalidInputError(str(error)) from None
    quality_probe = None
    if args.eval_every:
        from genai_demo.metrics.quality import ImageQualityProbe

        quality_probe = ImageQualityProbe.for_training(dataset, args.data_source, args.eval_samples, args.seed, device,
                                                       args.eval_classifier)
        log(f"quality: classifier-FID of {quality_probe.count} samples every {args.eval_every} steps "
            f"(real-vs-real floor {quality_probe.floor:.2f})")
    return trainer_class(
        dataset,
        args.out,
        config,
        model_config=model_config,
        model_type=args.model,
        device=device,
        resume=args.resume,
        stop_event=stop_event,
        command="python -m genai_demo " + shlex.join(argv),
        quality_probe=quality_probe,
    )


def run_train(args: argparse.Namespace, argv: list[str]) -> int:
    if args.model == "classifier":
        return run_train_classifier(args, argv)
    from genai_demo.training.distributed import launched_as_main

    stop_event = threading.Event()
    log = (lambda line: print(line, flush=True)) if launched_as_main() else (lambda line: None)
    trainer = build_trainer(args, argv, stop_event, log=log)
    return _run_with_ctrl_c(trainer, stop_event, args)


def event_record(event) -> dict:
    """A training event as a JSON-ready dict: {"event": "progress"|"sample"|"checkpoint"|"finished", ...}."""
    record = {"event": type(event).__name__.removesuffix("Event").lower()}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        record[field.name] = str(value) if isinstance(value, Path) else value
    return record


def device_memory(device) -> dict[str, float]:
    """CUDA memory this trainer holds, in MB (nothing on other devices): the Train tab shows it."""
    import torch

    if device.type != "cuda":
        return {}
    return {"cuda_allocated_mb": round(torch.cuda.memory_allocated(device) / 2**20, 1),
            "cuda_reserved_mb": round(torch.cuda.memory_reserved(device) / 2**20, 1)}


def out_of_memory_message(device: str, batch_size: int) -> str:
    smaller = max(1, batch_size // 4)
    return f"out of {device} memory at batch size {batch_size}: try {smaller} (the last saved checkpoint is kept)"


def _print_event(event, trainer, as_json: bool) -> None:
    from genai_demo.training import CheckpointEvent, FinishedEvent

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
    """Print the trainer's events; the first Ctrl-C (SIGINT) stops after the current step and saves."""
    import torch

    def request_stop(signum, frame):
        print("\nstopping after this step and saving (Ctrl-C again to abort without saving)", flush=True)
        stop_event.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
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
    from genai_demo.device import resolve_device
    from genai_demo.generation import load_cached_model
    from genai_demo.text_generation import SamplingSettings, fit_prompt, stream_text

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


def run_sample(args: argparse.Namespace) -> int:
    from genai_demo.device import resolve_device
    from genai_demo.generation import generate_image_grid
    from genai_demo.images import save_png

    if args.out.is_dir():
        raise InvalidInputError(f"--out {args.out} is a folder; give a .png file name")
    if args.out.suffix.lower() != ".png":
        raise InvalidInputError(f"--out must end in .png, got {args.out}")
    grid = generate_image_grid(args.model_dir, args.num, args.seed, resolve_device(args.device), args.class_label)
    save_png(grid, args.out, {"model": str(args.model_dir), "seed": str(args.seed), "num": str(args.num)})
    print(f"wrote {args.num} samples (seed {args.seed}) to {args.out}")
    return 0


def run_hub_command(args: argparse.Namespace) -> int:
    from genai_demo.folders.registry import describe_model, discover_models, user_models_dir

    if args.command == "pull":
        from genai_demo.hub.hub_models import pull_model

        print(f"pulled into {pull_model(args.repo_id, user_models_dir(), revision=args.revision)}")
    elif args.command == "push":
        from genai_demo.hub.push import push_model_folder

        url = push_model_folder(args.model_dir, args.repo_id, private=args.private, commit_message=args.message)
        print(f"pushed {args.model_dir} to {args.repo_id}: {url}")
    else:
        for entry in discover_models():
            details = describe_model(entry)
            print(f"{entry.name:<28} {details.family:<44} {details.dataset:<22} "
                  f"{details.parameters:>11,}  {details.size_bytes / 2**20:6.1f} MB  {details.source}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.command == "train":
            return run_train(args, argv)
        if args.command == "eval":
            return run_eval(args)
        if args.command == "generate":
            return run_generate(args)
        if args.command in ("models", "pull", "push"):
            return run_hub_command(args)
        if args.command == "datasets":
            from genai_demo.data import dataset_availability

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
