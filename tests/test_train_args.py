"""The `train` flags: which apply to which family comes from the registry, and defaults fill in after the check."""

import pytest

from genai_demo.errors import InvalidInputError
from genai_demo.families import FAMILIES, families_with_option, train_tab_families
from genai_demo.train_args import FAMILY_OPTIONS, parse_train_args

TEXT = [name for name, record in FAMILIES.items() if record.trainer and record.is_text]
IMAGE = [name for name, record in FAMILIES.items() if record.trainer and not record.is_text and record.in_train_tab]


def _example(option: str) -> list[str]:
    """A valid value for the flag, so only its applicability is at stake."""
    values = {"dataset": "mnist", "image-size": "28", "channels": "1", "data-source": "auto", "epochs": "1",
              "eval-samples": "10", "eval-classifier": "x", "ema-decay": "0.9", "latent-dim": "8",
              "generator-features": "8", "discriminator-features": "8", "kl-weight": "1", "categorical-code": "10",
              "clusters": "4", "pack": "2", "unet-channels": "8,16", "corpus": "python-code", "block-size": "16",
              "layers": "1", "width": "16", "vocab-size": "300", "tokenizer": "char", "dropout": "0.1",
              "init-from": "checkpoints/cddpm-mnist", "min-snr-gamma": "5", "w-dim": "32", "mapping-layers": "2",
              "r1-gamma": "1", "style-mixing": "0.5"}
    return [f"--{option}"] + ([values[option]] if option in values else [])


@pytest.mark.parametrize("option", FAMILY_OPTIONS)
def test_each_family_option_is_accepted_exactly_where_the_registry_says(option, tmp_path):
    for name, record in FAMILIES.items():
        if not record.trainer:
            continue
        arguments = [name, "--out", str(tmp_path / "run"), *_example(option)]
        if option in record.options:
            assert getattr(parse_train_args(arguments), option.replace("-", "_")) is not None
        else:
            with pytest.raises(InvalidInputError) as refused:
                parse_train_args(arguments)
            assert str(refused.value) == (f"--{option} applies to {', '.join(families_with_option(option))} "
                                          f"only, not {name}")


def test_text_models_refuse_image_flags_and_image_models_text_flags(tmp_path):
    out = ["--out", str(tmp_path / "run")]
    with pytest.raises(InvalidInputError, match="--dataset applies to .* only, not " + TEXT[0]):
        parse_train_args([TEXT[0], *out, "--dataset", "mnist"])
    with pytest.raises(InvalidInputError, match="--corpus applies to " + ", ".join(TEXT) + " only"):
        parse_train_args([IMAGE[0], *out, "--corpus", "fortunes"])


@pytest.mark.parametrize("record", train_tab_families(), ids=lambda record: record.name)
def test_defaults_come_from_the_family_record(record, tmp_path):
    args = parse_train_args([record.name, "--out", str(tmp_path / "run")])
    assert args.lr == record.defaults.learning_rate and args.batch_size == record.defaults.batch_size
    if record.is_text:
        assert (args.corpus, args.max_steps, args.dataset) == ("python-code", record.defaults.steps, None)
    else:
        assert (args.dataset, args.image_size, args.epochs, args.corpus) == ("mnist", 28, record.defaults.epochs, None)


def test_explicit_settings_win_over_the_defaults(tmp_path):
    args = parse_train_args([IMAGE[0], "--out", str(tmp_path / "run"), "--lr", "0.01", "--max-steps", "5"])
    assert (args.lr, args.max_steps, args.epochs) == (0.01, 5, None)  # the trainer's epochs cap stays its own
