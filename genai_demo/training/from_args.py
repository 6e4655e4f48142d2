"""The trainer that `python -m genai_demo train` runs, built from its parsed arguments: shared by the
CLI and the job manager's slices on ZeroGPU, so both build exactly the same run."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import threading

from genai_demo.data import load_image_dataset
from genai_demo.data.text import load_text_corpus
from genai_demo.device import resolve_device
from genai_demo.errors import InvalidInputError
from genai_demo.families import FAMILIES
from genai_demo.metrics.quality import ImageQualityProbe
from genai_demo.training import trainer_class
from genai_demo.training.classifier_trainer import ClassifierTrainer, ClassifierTrainingConfig
from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig


def build_classifier_trainer(args: argparse.Namespace, argv: list[str], stop_event: threading.Event, log=print):
    device = resolve_device(args.device)
    train_set = load_image_dataset(args.dataset, split="train", source=args.data_source)
    test_set = load_image_dataset(args.dataset, split="test", source=args.data_source)
    log(f"data: {train_set.source}; device: {device}")
    config = ClassifierTrainingConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed)
    return ClassifierTrainer(train_set, test_set, args.out, config, device=device, stop_event=stop_event,
                             command="python -m genai_demo " + shlex.join(argv), resume=args.resume)


def model_settings(args: argparse.Namespace, dataset=None) -> dict:
    """The model-config fields the user set with the family's architecture flags (`Family.model_options`)."""
    settings = {}
    for option, field_name in FAMILIES[args.model].model_options.items():
        value = getattr(args, option.replace("-", "_"))
        if value is None:
            continue
        if option == "class-conditional":
            if len(dataset.class_names) < 2:
                raise InvalidInputError("--class-conditional needs a dataset with at least two classes")
            value = len(dataset.class_names)
        elif option == "unet-channels":
            try:
                value = [int(part) for part in value.split(",")]
            except ValueError:
                raise InvalidInputError(f"--unet-channels must be numbers separated by commas, got {value!r}") from None
        settings[field_name] = value
    return settings


def build_text_trainer(args: argparse.Namespace, argv: list[str], stop_event: threading.Event, log=print):
    device = resolve_device(args.device)
    corpus = load_text_corpus(args.corpus)
    log(f"data: {corpus.source}; device: {device}")
    settings = model_settings(args)
    if settings.get("tokenizer") == "char" and "vocab_size" in settings:
        raise InvalidInputError("--vocab-size sets the BPE vocabulary: a char tokenizer takes the corpus's characters")
    config = TextTrainingConfig(
        corpus=args.corpus, max_steps=args.max_steps, batch_size=args.batch_size, block_size=args.block_size,
        learning_rate=args.lr, seed=args.seed, save_every=args.save_every, log_every=args.log_every,
        sample_every=args.sample_every, **({"eval_every": args.eval_every} if args.eval_every else {}),
    )
    try:
        return TextTrainer(corpus, args.out, config, args.model, settings, device, args.resume, stop_event,
                           command="python -m genai_demo " + shlex.join(argv))
    except ValueError as error:  # a model setting out of range
        raise InvalidInputError(str(error)) from None


# Training-config fields set by flags, when given (which family takes which is checked by train_args).
TRAINING_OPTIONS = {"epochs": "epochs", "kl_weight": "kl_weight", "ema_decay": "ema_decay", "augment": "augment",
                    "init_from": "init_from", "min_snr_gamma": "min_snr_gamma",
                    "r1_gamma": "r1_gamma", "style_mixing": "style_mixing"}


def build_trainer(args: argparse.Namespace, argv: list[str], stop_event: threading.Event, log=print):
    """The trainer that `train` runs, from checked arguments (`train_args.check_family_options`):
    shared by the CLI and the app's jobs, so both accept and refuse exactly the same settings."""
    record = FAMILIES[args.model]
    trainer = trainer_class(record.name)
    if issubclass(trainer, TextTrainer):
        return build_text_trainer(args, argv, stop_event, log)
    if issubclass(trainer, ClassifierTrainer):
        return build_classifier_trainer(args, argv, stop_event, log)
    if (args.pack or 1) > args.batch_size:
        raise InvalidInputError(f"--pack {args.pack} needs a batch of at least {args.pack} images (--batch-size)")
    device = resolve_device(args.device)
    dataset = load_image_dataset(args.dataset, split="train", source=args.data_source,
                                 image_size=args.image_size, channels=args.channels)
    log(f"data: {dataset.source}; device: {device}")
    settings = dict(dataset=args.dataset, max_steps=args.max_steps, batch_size=args.batch_size, learning_rate=args.lr,
                    seed=args.seed, log_every=args.log_every, sample_every=args.sample_every,
                    save_every=args.save_every, eval_every=args.eval_every or 0)
    settings.update({field_name: getattr(args, name) for name, field_name in TRAINING_OPTIONS.items()
                     if getattr(args, name) is not None})
    if args.float32:
        settings["mixed_precision"] = False
    config = trainer.config_class(**settings)
    model_config = None
    architecture = model_settings(args, dataset)
    if architecture and not args.resume:
        shape = dict(image_channels=dataset.image_channels, image_size=dataset.image_size)
        if "num_classes" in {field.name for field in dataclasses.fields(record.model_class.config_class)}:
            shape["num_classes"] = len(dataset.class_names)
        try:
            model_config = record.model_class.config_class(**shape, **architecture)
        except ValueError as error:  # an architecture setting out of range
            raise InvalidInputError(str(error)) from None
    quality_probe = None
    if args.eval_every:
        quality_probe = ImageQualityProbe.for_training(dataset, args.data_source, args.eval_samples, args.seed, device,
                                                       args.eval_classifier)
        log(f"quality: classifier-FID of {quality_probe.count} samples every {args.eval_every} steps "
            f"(real-vs-real floor {quality_probe.floor:.2f})")
    return trainer(
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
