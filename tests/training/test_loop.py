"""The one training loop and what it takes from the family registry."""

import pytest

from genai_demo.data.text import TextCorpus, load_text_corpus
from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.families import FAMILIES, trainable
from genai_demo.training import GANTrainer, GANTrainingConfig, WGANGPTrainer, trainer_class
from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig


@pytest.mark.parametrize("name", trainable())
def test_trainer_class_is_the_trainer_the_registry_names_and_it_trains_the_family(name):
    trainer = trainer_class(name)
    assert trainer.__name__ == FAMILIES[name].trainer
    assert name in trainer.trained_families()


def test_a_family_not_trained_here_has_no_trainer():
    with pytest.raises(InvalidInputError, match="not trained by genai-demo"):
        trainer_class("causal-lm")
    with pytest.raises(InvalidInputError, match="unknown model family"):
        trainer_class("no-such-family")


def test_an_unset_learning_rate_is_the_familys_default(tiny_dataset, tmp_path, tiny_dcgan_config):
    config = GANTrainingConfig(max_steps=1, batch_size=32)
    trainer = GANTrainer(tiny_dataset, tmp_path / "gan", config, model_config=tiny_dcgan_config)
    assert trainer.config.learning_rate == FAMILIES["dcgan"].defaults.learning_rate
    assert config.learning_rate is None  # the caller's config is left as it was
    wgan = WGANGPTrainer(tiny_dataset, tmp_path / "wgan")
    assert wgan.optimizers["critic"].param_groups[0]["lr"] == FAMILIES["wgan-gp"].defaults.learning_rate
    explicit = GANTrainer(tiny_dataset, tmp_path / "explicit", GANTrainingConfig(learning_rate=1e-3))
    assert explicit.optimizers["generator"].param_groups[0]["lr"] == 1e-3


def test_text_evaluation_cadence_is_checked_as_one(tmp_path):
    with pytest.raises(InvalidInputError, match="evaluate every N steps"):
        TextTrainingConfig(eval_every=-1)


def test_a_text_run_resumes_only_its_own_family_and_settings(tmp_path):
    corpus = TextCorpus("python-code", load_text_corpus("python-code").text[:20_000], "test slice")
    settings = dict(embedding_dim=8, hidden_size=16, num_layers=1)
    config = TextTrainingConfig(max_steps=2, batch_size=8, block_size=16, eval_every=1000, save_every=1000)
    list(TextTrainer(corpus, tmp_path, config, "char-lstm", settings).train())
    with pytest.raises(CheckpointError, match="holds a char-lstm, not a causal-lm"):
        TextTrainer(corpus, tmp_path, config, "tiny-gpt", resume=True)
    with pytest.raises(CheckpointError, match="the run used batch_size=8, not 16"):
        TextTrainer(corpus, tmp_path, TextTrainingConfig(max_steps=4, batch_size=16, block_size=16), resume=True)
