import json
import shutil

import pytest
import torch
from conftest import hub_cache_snapshot

from genai_demo.data.text import TextCorpus, load_text_corpus
from genai_demo.errors import CheckpointError, InvalidInputError, ModelLoadError
from genai_demo.hub.hub_models import download_model_files
from genai_demo.folders.model_folder import load_model_folder, read_model_config
from genai_demo.models.causal_lm import CausalLM
from genai_demo.models.char_lstm import CharLSTM
from genai_demo.text_generation import SamplingSettings, stream_text
from genai_demo.training.events import FinishedEvent, ProgressEvent, SampleEvent
from genai_demo.metrics.bits_per_char import bigram_bits_per_char
from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig

TINY = {
    "char-lstm": dict(embedding_dim=16, hidden_size=48, num_layers=1),
    "tiny-gpt": dict(vocab_size=300, n_layer=1, n_head=2, n_embd=32, n_positions=64),
}


@pytest.fixture(scope="module")
def small_corpus() -> TextCorpus:
    """60,000 characters of real Python: enough to learn something in a few dozen steps."""
    return TextCorpus("python-code", load_text_corpus("python-code").text[:60_000], "test slice")


def train_text(corpus, folder, model_type, steps, resume=False, **overrides):
    settings = dict(max_steps=steps, batch_size=16, block_size=32, log_every=5, eval_every=1000,
                    save_every=1000, warmup_steps=5, learning_rate=1e-2 if model_type == "char-lstm" else 3e-3)
    settings.update(overrides)
    trainer = TextTrainer(corpus, folder, TextTrainingConfig(**settings), model_type, TINY[model_type],
                          resume=resume)
    return trainer, list(trainer.train())


@pytest.mark.parametrize("model_type", ["char-lstm", "tiny-gpt"])
def test_loss_falls_and_the_folder_round_trips(small_corpus, tmp_path, model_type):
    trainer, events = train_text(small_corpus, tmp_path, model_type, steps=60)
    losses = [event.losses["loss"] for event in events if isinstance(event, ProgressEvent)]
    assert losses[-1] < 0.85 * losses[0]
    assert "val_bits_per_char" in [event for event in events if isinstance(event, ProgressEvent)][-1].losses
    assert isinstance(events[-1], FinishedEvent) and not events[-1].stopped
    model = load_model_folder(tmp_path)
    assert isinstance(model, CharLSTM if model_type == "char-lstm" else CausalLM)
    original = trainer.model.state_dict()
    reloaded = (model if model_type == "char-lstm" else model.model).state_dict()
    for name, tensor in original.items():
        assert torch.equal(tensor.cpu(), reloaded[name]), name
    card = (tmp_path / "README.md").read_text()
    assert "bits per character" in card and "A sample (seed 0)" in card


def test_tiny_gpt_folder_loads_with_plain_transformers(small_corpus, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    train_text(small_corpus, tmp_path, "tiny-gpt", steps=3)
    assert read_model_config(tmp_path)[0] == "causal-lm"
    model = AutoModelForCausalLM.from_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    ids = tokenizer("def main():", return_tensors="pt").input_ids
    assert tokenizer.decode(ids[0]) == "def main():"  # byte-level BPE is lossless
    assert model.config.eos_token_id == tokenizer.eos_token_id != 50256
    output = model.generate(ids, max_new_tokens=5, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    assert output.shape[1] > ids.shape[1]


def test_char_tokenizer_tiny_gpt_learns_and_loads_with_plain_transformers(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    poems = "床前明月光，疑是地上霜。举头望明月，低头思故乡。\n" * 40 + "白日依山尽，黄河入海流。\n" * 40
    corpus = TextCorpus("poems", poems, "test poems")
    settings = dict(TINY["tiny-gpt"], tokenizer="char")
    trainer = TextTrainer(corpus, tmp_path, TextTrainingConfig(max_steps=40, batch_size=8, block_size=16, log_every=5,
                          eval_every=40, save_every=1000, warmup_steps=2, learning_rate=3e-3), "tiny-gpt", settings)
    events = list(trainer.train())
    losses = [event.losses["loss"] for event in events if isinstance(event, ProgressEvent)]
    assert losses[-1] < 0.7 * losses[0]
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    # One token per character the corpus had (plus end of text and unknown), and one for any other.
    assert len(tokenizer) == len(set(poems)) + 2
    ids = tokenizer("明月光\n蛙").input_ids
    assert len(ids) == 5 and ids[-1] == tokenizer.unk_token_id
    assert tokenizer.decode(ids) == "明月光\n\ufffd"
    model = AutoModelForCausalLM.from_pretrained(tmp_path)
    output = model.generate(tokenizer("床前", return_tensors="pt").input_ids, max_new_tokens=3, do_sample=False,
                            pad_token_id=tokenizer.eos_token_id)
    assert tokenizer.decode(output[0]).startswith("床前") and output.shape[1] == 5


def test_unknown_tokenizer_kind_is_refused(small_corpus, tmp_path):
    with pytest.raises(ValueError, match="tokenizer must be one of byte-bpe, char"):
        TextTrainer(small_corpus, tmp_path, TextTrainingConfig(max_steps=1), "tiny-gpt",
                    dict(TINY["tiny-gpt"], tokenizer="words"))


@pytest.mark.parametrize("model_type", ["char-lstm", "tiny-gpt"])
def test_sampling_streams_and_is_reproducible_with_a_seed(small_corpus, tmp_path, model_type):
    train_text(small_corpus, tmp_path, model_type, steps=3)
    model = load_model_folder(tmp_path)
    settings = SamplingSettings(max_new_tokens=30, temperature=1.0, top_k=50, top_p=0.95, repetition_penalty=1.1, seed=4)
    partials = list(stream_text(model, "def ", settings))
    assert len(partials) > 1 and all(later.startswith(earlier) for earlier, later in zip(partials, partials[1:]))
    assert list(stream_text(model, "def ", settings))[-1] == partials[-1]
    other = list(stream_text(model, "def ", SamplingSettings(max_new_tokens=30, temperature=1.0, seed=5)))[-1]
    assert other != partials[-1]
    greedy = [list(stream_text(model, "def ", SamplingSettings(max_new_tokens=10, temperature=0, seed=seed)))[-1]
              for seed in (1, 2)]
    assert greedy[0] == greedy[1]  # temperature 0 is greedy: the seed does not matter


def test_resume_continues_exactly(small_corpus, tmp_path):
    straight, _ = train_text(small_corpus, tmp_path / "straight", "char-lstm", steps=8)
    train_text(small_corpus, tmp_path / "split", "char-lstm", steps=3)
    resumed, _ = train_text(small_corpus, tmp_path / "split", "char-lstm", steps=8, resume=True)
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    with pytest.raises(CheckpointError, match="already holds a training run"):
        train_text(small_corpus, tmp_path / "split", "char-lstm", steps=9)


def test_trained_models_beat_the_bigram_baseline_quickly(small_corpus, tmp_path):
    train, validation = small_corpus.split()
    baseline = bigram_bits_per_char(train, validation)
    assert 2.5 < baseline < 5  # Python code: a bigram model knows a little
    _, events = train_text(small_corpus, tmp_path, "char-lstm", steps=150, block_size=64, eval_every=150)
    progress = [event for event in events if isinstance(event, ProgressEvent)]
    assert progress[-1].losses["val_bits_per_char"] < baseline
    samples = [event for event in events if isinstance(event, SampleEvent)]
    assert samples[-1].step == 150 and len(samples[-1].text) > 20  # a text sample, seen live in the Train tab
    assert samples[-1].path.read_text(encoding="utf-8") == samples[-1].text
    assert (tmp_path / "best" / "config.json").is_file()  # the best validation model so far, beside the latest


def test_hub_causal_lm_loads_from_the_cache_offline(small_corpus, tmp_path, hub_cache):
    train_text(small_corpus, tmp_path / "gpt", "tiny-gpt", steps=2)
    snapshot = hub_cache_snapshot(hub_cache, "someone/tiny-gpt-test")
    for path in (tmp_path / "gpt").iterdir():
        if path.is_file() and not path.name.startswith("training_state"):
            shutil.copy(path, snapshot / path.name)
    folder = download_model_files("someone/tiny-gpt-test", ["*.json", "*.safetensors"])
    text = list(stream_text(load_model_folder(folder), "x = ", SamplingSettings(max_new_tokens=5)))[-1]
    assert isinstance(text, str)
    with pytest.raises(ModelLoadError, match="not in the local Hub cache"):
        download_model_files("distilbert/distilgpt2", ["*.json"])


def test_bad_settings_are_clear_errors(small_corpus, tmp_path):
    with pytest.raises(InvalidInputError, match="temperature must be a number from 0 to 5"):
        SamplingSettings(temperature=9)
    with pytest.raises(InvalidInputError, match="unknown model .rnn. for TextTrainer"):
        TextTrainer(small_corpus, tmp_path, model_type="rnn")
    with pytest.raises(InvalidInputError, match="longer than the model's context"):
        train_text(small_corpus, tmp_path / "gpt", "tiny-gpt", steps=1, block_size=128)
    short = TextCorpus("tiny", "x = 1\n" * 10, "test")
    with pytest.raises(InvalidInputError, match="too short"):
        train_text(short, tmp_path / "short", "char-lstm", steps=1)
    metrics = tmp_path / "gpt" / "metrics.jsonl"
    assert not metrics.exists() or json.loads(metrics.read_text().splitlines()[0])


def test_chat_template_is_applied_when_the_tokenizer_has_one(small_corpus, tmp_path):
    from genai_demo.text_generation import _CausalLMStepper

    train_text(small_corpus, tmp_path, "tiny-gpt", steps=1)
    model = load_model_folder(tmp_path)
    plain = _CausalLMStepper(model).prompt_ids("x = 1").tolist()
    assert plain == model.tokenizer("x = 1").input_ids
    model.tokenizer.chat_template = (
        "{% for message in messages %}<|endoftext|>user: {{ message['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant:{% endif %}"
    )
    templated = _CausalLMStepper(model).prompt_ids("x = 1").tolist()
    assert model.tokenizer.decode(templated) == "<|endoftext|>user: x = 1\nassistant:"


def test_learning_rate_warms_up_then_decays_to_a_tenth(small_corpus, tmp_path):
    trainer = TextTrainer(small_corpus, tmp_path, TextTrainingConfig(max_steps=1000, warmup_steps=100, learning_rate=1e-3),
                          "char-lstm", TINY["char-lstm"])
    rates = [trainer.learning_rate_at(step) for step in (0, 49, 99, 100, 550, 999, 5000)]
    assert rates[0] == pytest.approx(1e-5) and rates[1] == pytest.approx(5e-4) and rates[2] == pytest.approx(1e-3)
    assert rates[3] == pytest.approx(1e-3) and rates[4] == pytest.approx(5.5e-4, rel=1e-3)
    assert rates[5] == pytest.approx(1e-4, rel=1e-2) and rates[6] == pytest.approx(1e-4)
