"""The `train` command's arguments: one spec that the CLI and the app's job manager both parse.

Which family-specific flags apply to which family comes from the family registry
(`Family.options`); a flag given for a family it does not apply to is refused with one line,
so the CLI and the Train form accept and refuse exactly the same settings. Family-specific
flags default to None ("not given"); `parse_train_args` fills in the defaults after that check.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genai_demo import limits
from genai_demo.data.text import TEXT_CORPORA
from genai_demo.errors import InvalidInputError
from genai_demo.families import FAMILIES, families_with_option, trainable

# Defaults of the flags that apply to every image family / every text family.
IMAGE_DEFAULTS = {"dataset": "mnist", "image_size": 28, "channels": 1, "data_source": "auto", "eval_samples": 1000}
TEXT_DEFAULTS = {"corpus": TEXT_CORPORA[0], "block_size": 128}
DATA_SOURCES = ("auto", "hub", "embedded", "debian")


def checked(value_range: limits.IntRange | limits.FloatRange):
    """argparse `type=` that applies the shared range, so the CLI and the UI agree."""

    def parse(text: str):
        try:
            return value_range.check(text)
        except InvalidInputError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = value_range.label  # argparse names the type in its message
    return parse


class RaisingParser(argparse.ArgumentParser):
    """A parser that raises InvalidInputError instead of printing usage and exiting (for the app)."""

    def error(self, message: str):
        raise InvalidInputError(message)


def _only(option: str) -> str:
    """"dcgan, cdcgan: " — the start of a family-specific flag's help, from the registry."""
    return ", ".join(families_with_option(option)) + ": "


def _defaults_of(family_name: str) -> str:
    return ", ".join(f"{value:g} for {name}" for name, record in FAMILIES.items()
                     if record.trainer and (value := getattr(record.defaults, family_name)) is not None)


def add_train_arguments(train: argparse.ArgumentParser) -> None:
    """The `train` command's flags (the parser is the CLI's subcommand, or the job manager's own)."""
    train.add_argument("model", choices=trainable(), help="model family to train")
    train.add_argument("--out", required=True, type=Path, help="output model folder")
    train.add_argument("--max-steps", type=checked(limits.MAX_STEPS), default=None,
                       help="stop after this many steps in all (text models: default "
                       + _defaults_of("steps").replace(" for", " steps for") + ")")
    train.add_argument("--batch-size", type=checked(limits.BATCH_SIZE), default=None,
                       help="default: " + _defaults_of("batch_size"))
    train.add_argument("--lr", type=checked(limits.LEARNING_RATE), default=None,
                       help="learning rate (default: " + _defaults_of("learning_rate") + ")")
    train.add_argument("--seed", type=checked(limits.SEED), default=0, help="default: 0")
    train.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    train.add_argument("--sample-every", type=checked(limits.SAMPLE_EVERY), default=200,
                       help="a fixed-seed sample grid (or text) every N steps (default: 200)")
    train.add_argument("--save-every", type=checked(limits.SAVE_EVERY), default=1000,
                       help="checkpoint every N steps (default: 1000)")
    train.add_argument("--log-every", type=checked(limits.LOG_EVERY), default=20,
                       help="average and report the losses every N steps (default: 20)")
    train.add_argument("--eval-every", type=checked(limits.EVAL_EVERY), default=None,
                       help="measure quality every N steps: classifier-FID (and its floor, and class accuracy "
                       "for conditional models) for image models, keeping the best model in OUT/best; validation "
                       "bits per character for text models (default: off for images, 250 for text)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its saved state")
    train.add_argument("--events-json", action="store_true",
                       help="print each training event as one JSON object per line (what the app's Train tab reads)")

    image = train.add_argument_group("image models")
    image.add_argument("--dataset", default=None,
                       help="mnist (default), fashion-mnist, or a folder / .zip of your PNG/JPEG images "
                       "(sub-folders are classes); `python -m genai_demo datasets` lists what is here")
    image.add_argument("--image-size", type=int, choices=(28, 32, 64), default=None,
                       help="your images are resized to this (default: 28)")
    image.add_argument("--channels", type=int, choices=(1, 3), default=None,
                       help="your images become grayscale (1, default) or RGB (3)")
    image.add_argument("--data-source", choices=DATA_SOURCES, default=None,
                       help="auto (default): mnist from the Hub or its cache, else embedded; fashion-mnist from "
                       "Debian's package, else the Hub")
    image.add_argument("--epochs", type=checked(limits.EPOCHS), default=None,
                       help="epochs (default: " + _defaults_of("epochs") + ")")
    image.add_argument("--eval-samples", type=checked(limits.EVAL_SAMPLES), default=None,
                       help="images generated per evaluation (default: 1000)")
    image.add_argument("--eval-classifier", type=Path, default=None,
                       help="frozen classifier folder for classifier-FID (default: the shipped classifier of the dataset)")
    image.add_argument("--ema-decay", type=checked(limits.EMA_DECAY), default=None,
                       help="keep a moving average of the generating weights (diffusers' EMAModel) and save it "
                       "(default: 0.999 for ddpm, none for the others)")
    image.add_argument("--float32", action="store_true", default=None,
                       help="train in float32 throughout; by default image models (but WGAN-GP, and the DDPM on a "
                       "CPU) run their networks under bfloat16 autocast where that is faster: CUDA, and CPUs "
                       "with AVX-512 BF16 or AMX instructions")
    image.add_argument("--latent-dim", type=checked(limits.LATENT_DIM), default=None,
                       help=_only("latent-dim") + "size of the latent vector (default: " + _defaults_of("latent_dim") + ")")
    image.add_argument("--generator-features", type=checked(limits.NETWORK_FEATURES), default=None, metavar="F",
                       help=_only("generator-features") + "the generator's width, 2F feature maps at the smallest "
                       "resolution down to F (default 64)")
    image.add_argument("--discriminator-features", type=checked(limits.NETWORK_FEATURES), default=None,
                       metavar="F", help=_only("discriminator-features") + "the discriminator's width, F then 2F "
                       "feature maps (default 64)")
    image.add_argument("--kl-weight", type=checked(limits.KL_WEIGHT), default=None,
                       help=_only("kl-weight") + "beta, the weight of the KL term (default: 1, the true ELBO)")
    image.add_argument("--spectral-norm", action="store_true", default=None,
                       help=_only("spectral-norm") + "spectral normalisation on the critic's / discriminator's "
                       "convolutions (Miyato et al. 2018; replaces the DCGAN discriminator's batch norm)")
    image.add_argument("--augment", action="store_true", default=None,
                       help=_only("augment") + "DiffAugment translation on the discriminator's inputs "
                       "(Zhao et al. 2020), for small datasets")
    image.add_argument("--categorical-code", type=int, default=None, metavar="N",
                       help=_only("categorical-code") + "an InfoGAN categorical code of N values in the latent, "
                       "which D must recover (with no labels it comes to pick the digit; default: none)")
    image.add_argument("--clusters", type=checked(limits.CLUSTERS), default=None, metavar="K",
                       help=_only("clusters") + "self-conditioned on K k-means clusters of the training images "
                       "(Liu et al. 2020), drawn in proportion to their sizes so no digit is under-drawn; "
                       "no labels are used (default: none)")
    image.add_argument("--pack", type=int, default=None,
                       help=_only("pack") + "the discriminator judges this many images at once (PacGAN; default 1)")
    image.add_argument("--minibatch-std", action="store_true", default=None,
                       help=_only("minibatch-std") + "a minibatch standard-deviation feature in the discriminator "
                       "(Karras et al. 2018) against mode collapse and class imbalance")
    image.add_argument("--w-dim", type=checked(limits.LATENT_DIM), default=None,
                       help=_only("w-dim") + "width of w, the mapping network's output that every style comes from "
                       "(default 128)")
    image.add_argument("--mapping-layers", type=checked(limits.MAPPING_LAYERS), default=None,
                       help=_only("mapping-layers") + "fully connected layers from z to w (default 4)")
    image.add_argument("--r1-gamma", type=checked(limits.R1_GAMMA), default=None, metavar="GAMMA",
                       help=_only("r1-gamma") + "weight of the R1 penalty on real images' discriminator gradients "
                       "(Mescheder et al. 2018), applied every 16 steps (default 0.1; 0: off)")
    image.add_argument("--style-mixing", type=checked(limits.STYLE_MIXING), default=None, metavar="P",
                       help=_only("style-mixing") + "share of fakes made from two latents' styles, switched at a "
                       "random layer (default 0.9; 0: off)")
    image.add_argument("--class-conditional", action="store_true", default=None,
                       help=_only("class-conditional") + "a class embedding added to the timestep embedding, "
                       "trained with the class dropped 10%% of the time for classifier-free guidance")
    image.add_argument("--attributes", action="store_true", default=None,
                       help=_only("attributes") + "with --class-conditional: also conditioned on stroke thickness "
                       "and slant (3 bins each, measured from the training images), so prompts such as "
                       "\"a thin slanted 7\" mean something")
    image.add_argument("--init-from", default=None, metavar="FOLDER",
                       help=_only("init-from") + "start from the UNet weights of this diffusion folder (same "
                       "--unet-channels); a guided model's \"no condition\" embedding becomes an unconditional "
                       "model's starting point (read from safetensors, never unpickled)")
    image.add_argument("--min-snr-gamma", type=checked(limits.MIN_SNR_GAMMA), default=None, metavar="GAMMA",
                       help=_only("min-snr-gamma") + "weight each sample's noise error by min(SNR, GAMMA) / SNR "
                       "(min-SNR weighting, Hang et al. 2023; 5 in the paper; default: off, every timestep alike)")
    image.add_argument("--unet-channels", default=None, metavar="C1,C2,...",
                       help=_only("unet-channels") + "channels of each UNet stage (default: 32,64,64); "
                       "the image size must divide by 2^(stages - 1)")

    text = train.add_argument_group("text models (" + ", ".join(families_with_option("corpus")) + ")")
    text.add_argument("--corpus", default=None,
                      help="python-code (default), fortunes, tang-poems, song-ci, hub:owner/name, or a UTF-8 .txt file")
    text.add_argument("--block-size", type=checked(limits.BLOCK_SIZE), default=None,
                      help="tokens per training window (the LSTM's truncated-BPTT length; default: 128)")
    text.add_argument("--layers", type=int, default=None, help="LSTM layers (default 2) / transformer blocks (default 4)")
    text.add_argument("--width", type=int, default=None,
                      help="LSTM hidden size (default 256) / transformer width n_embd (default 128)")
    text.add_argument("--vocab-size", type=int, default=None,
                      help=_only("vocab-size") + "BPE vocabulary size (default 512)")
    text.add_argument("--tokenizer", choices=("byte-bpe", "char"), default=None,
                      help=_only("tokenizer") + "byte-level BPE (default) or one token per character (for Chinese)")
    text.add_argument("--dropout", type=float, default=None,
                      help="dropout probability (default: 0.1 between LSTM layers, 0 in the tiny GPT)")


# Every flag whose use depends on the family: the union of the families' options.
FAMILY_OPTIONS = tuple(sorted(set().union(*(record.options for record in FAMILIES.values()))))


def check_family_options(args: argparse.Namespace) -> argparse.Namespace:
    """Refuse a flag that does not apply to the chosen family, then fill in the defaults of the
    flags that do (the family's learning rate, batch size, ...)."""
    record = FAMILIES[args.model]
    for option in FAMILY_OPTIONS:
        if getattr(args, option.replace("-", "_")) is not None and option not in record.options:
            raise InvalidInputError(f"--{option} applies to {', '.join(families_with_option(option))} only, "
                                    f"not {args.model}")
    shared = TEXT_DEFAULTS if record.is_text else IMAGE_DEFAULTS
    for name, value in shared.items():
        if name.replace("_", "-") in record.options and getattr(args, name) is None:
            setattr(args, name, value)
    args.lr = args.lr if args.lr is not None else record.defaults.learning_rate
    args.batch_size = args.batch_size or record.defaults.batch_size
    if record.defaults.epochs is None and args.max_steps is None:
        args.max_steps = record.defaults.steps
    if "epochs" in record.options and args.epochs is None and args.max_steps is None:
        args.epochs = record.defaults.epochs
    return args


def train_parser(raise_errors: bool = False) -> argparse.ArgumentParser:
    """A parser of the `train` arguments alone (the job manager's); the CLI adds the same flags to its subcommand."""
    parser = (RaisingParser if raise_errors else argparse.ArgumentParser)(prog="python -m genai_demo train")
    add_train_arguments(parser)
    return parser


def parse_train_args(arguments: list[str]) -> argparse.Namespace:
    """`train` arguments (without the word "train") parsed and checked; bad ones raise InvalidInputError."""
    return check_family_options(train_parser(raise_errors=True).parse_args(arguments))
