"""A step split into per-core shards (core_shards.py) must compute the whole batch's step, leave
PyTorch's thread count as it found it, and fall back to one shard where shards would change the math."""

import threading

import pytest
import torch
from torch import nn

from genai_demo.data.text import TextCorpus, load_text_corpus
from genai_demo.models import VAEConfig
from genai_demo.models.diffusion import DiffusionConfig
from genai_demo.training import VAETrainer, VAETrainingConfig
from genai_demo.training.core_shards import CoreShards, shard_count
from genai_demo.training.diffusion_trainer import DiffusionTrainer, DiffusionTrainingConfig
from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig

TINY_VAE = VAEConfig(latent_dim=4, hidden_features=8)


@pytest.fixture
def two_threads():
    """Two kernel threads whatever the machine has, so shards are used (and restored afterwards)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


def test_shard_count_is_one_where_shards_would_change_the_step_or_not_pay(two_threads):
    cpu = torch.device("cpu")
    plain = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    assert shard_count(cpu, 128, plain) == 2
    assert shard_count(cpu, 16, plain) == 1  # shards of 8 images cost more than they save
    assert shard_count(cpu, 128, plain, processes=2) == 1  # each process already has a share
    assert shard_count(torch.device("cuda"), 128, plain) == 1
    assert shard_count(cpu, 128, nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))) == 1  # batch statistics
    # Random masks would be drawn in the threads' order: a seeded run would not repeat.
    assert shard_count(cpu, 128, nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))) == 1
    assert shard_count(cpu, 128, nn.LSTM(4, 4, num_layers=2, dropout=0.1)) == 1
    assert shard_count(cpu, 128, nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.0))) == 2


def test_shards_run_in_parallel_on_one_kernel_thread_each_and_restore_the_count(two_threads):
    shards = CoreShards(2)
    seen = []
    barrier = threading.Barrier(2, timeout=10)  # both shards must be running at once to pass it

    def shard_step(rows: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        barrier.wait()
        seen.append((threading.current_thread().name, torch.get_num_threads()))
        return rows.sum() + labels.sum()

    results = shards.run(shard_step, torch.arange(10.0), torch.arange(10))
    assert [result.item() for result in results] == [20.0, 70.0]  # [0..4] twice, [5..9] twice, in order
    assert {threads for _, threads in seen} == {1}
    assert all(name.startswith("core-shard") for name, _ in seen)
    assert torch.get_num_threads() == 2
    shards.close()


def test_an_error_in_a_shard_reaches_the_caller_after_every_shard_ends(two_threads):
    shards = CoreShards(2)
    finished = []

    def shard_step(rows: torch.Tensor) -> None:
        if rows[0] == 0:
            raise ValueError("bad shard")
        threading.Event().wait(0.2)
        finished.append(True)

    with pytest.raises(ValueError, match="bad shard"):
        shards.run(shard_step, torch.arange(4))
    assert finished == [True] and torch.get_num_threads() == 2
    shards.close()


def test_sharded_backward_sums_the_whole_batch_gradient_the_same_way_every_time(two_threads):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1))
    inputs, targets = torch.randn(96, 6), torch.randn(96, 1)

    def shard_loss(shard_inputs, shard_targets):
        loss = (model(shard_inputs) - shard_targets).square().sum() / len(inputs)
        return loss, loss.detach()

    model.zero_grad()
    whole = CoreShards(1).backward(shard_loss, model.parameters(), inputs, targets)
    expected = [parameter.grad.clone() for parameter in model.parameters()]
    runs = []
    for _ in range(3):
        shards = CoreShards(3)
        model.zero_grad(set_to_none=True)
        reports = shards.backward(shard_loss, model.parameters(), inputs, targets)
        shards.close()
        assert len(reports) == 3 and sum(reports).item() == pytest.approx(whole[0].item(), rel=1e-6)
        runs.append([parameter.grad.clone() for parameter in model.parameters()])
    for gradient, expected_gradient in zip(runs[0], expected):
        torch.testing.assert_close(gradient, expected_gradient, rtol=1e-5, atol=1e-7)
    assert all(torch.equal(first, again) for run in runs[1:] for first, again in zip(runs[0], run))


def test_engaged_shards_hold_one_thread_until_released_or_paused(two_threads):
    shards = CoreShards(2)
    shards.engage()
    assert torch.get_num_threads() == 1
    with shards.paused():
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 1
    shards.close()
    assert torch.get_num_threads() == 2


def _assert_same_step(sharded, whole) -> None:
    """After one step from the same weights and noise, both trainers hold the same gradients
    (the weights themselves may differ by up to 2 learning rates: Adam's first step moves each
    weight by lr * sign(g), and a gradient that is zero up to rounding can take either sign)."""
    assert sharded.core_shards.count == 2 and whole.core_shards.count == 1
    assert torch.get_num_threads() == 2  # given back after the run, pauses for grids and checkpoints included
    gradients = {name: parameter.grad for name, parameter in whole.model.named_parameters()}
    scale = max(gradient.abs().max().item() for gradient in gradients.values())
    for name, parameter in sharded.model.named_parameters():
        torch.testing.assert_close(parameter.grad, gradients[name], rtol=1e-4, atol=1e-5 * scale, msg=name)


def test_sharded_vae_steps_train_the_same_weights_as_whole_batch_steps(tiny_dataset, tmp_path, two_threads):
    trainers, losses = {}, {}
    for core_shards in (True, False):
        config = VAETrainingConfig(max_steps=1, batch_size=64, log_every=1, sample_every=1000, save_every=1000,
                                   mixed_precision=False, core_shards=core_shards)
        trainers[core_shards] = VAETrainer(tiny_dataset, tmp_path / str(core_shards), config, model_config=TINY_VAE)
        losses[core_shards] = [event.losses for event in trainers[core_shards].train() if hasattr(event, "losses")]
    _assert_same_step(trainers[True], trainers[False])
    assert losses[True][0] == pytest.approx(losses[False][0], rel=1e-5)


def test_a_run_left_early_gives_the_threads_back(tiny_dataset, tmp_path, two_threads):
    config = VAETrainingConfig(max_steps=50, batch_size=64, log_every=1, sample_every=1000, save_every=1000)
    trainer = VAETrainer(tiny_dataset, tmp_path, config, model_config=TINY_VAE)
    events = trainer.train()
    for event in events:
        if hasattr(event, "losses"):
            assert torch.get_num_threads() == 1  # engaged: one kernel thread per shard
            break  # the caller stops listening mid-run
    events.close()
    assert torch.get_num_threads() == 2


def test_sharded_ddpm_steps_train_the_same_unet(tiny_dataset, tmp_path, two_threads):
    """Images, timesteps, noise and class labels are all split the same way."""
    runs = {}
    for core_shards in (True, False):
        config = DiffusionTrainingConfig(max_steps=1, batch_size=32, log_every=1, sample_every=1000, save_every=1000,
                                         ema_decay=None, core_shards=core_shards)
        model_config = DiffusionConfig(block_out_channels=[8, 16], attention=False, num_train_timesteps=100,
                                       num_class_embeds=10)
        trainer = DiffusionTrainer(tiny_dataset, tmp_path / str(core_shards), config, model_config=model_config)
        runs[core_shards] = trainer, [event.losses["loss"] for event in trainer.train() if hasattr(event, "losses")]
    _assert_same_step(runs[True][0], runs[False][0])
    assert runs[True][1] == pytest.approx(runs[False][1], rel=1e-5)


@pytest.mark.parametrize("model_type, settings", [
    ("tiny-gpt", dict(vocab_size=300, n_layer=1, n_head=2, n_embd=32, n_positions=32)),
    ("char-lstm", dict(embedding_dim=16, hidden_size=32, num_layers=1)),
])
def test_sharded_text_steps_train_the_same_model(tmp_path, two_threads, model_type, settings):
    corpus = TextCorpus("python-code", load_text_corpus("python-code").text[:20_000], "test slice")
    runs = {}
    for core_shards in (True, False):
        config = TextTrainingConfig(max_steps=1, batch_size=32, block_size=32, log_every=1, eval_every=1000,
                                    sample_every=1000, save_every=1000, warmup_steps=1, core_shards=core_shards)
        trainer = TextTrainer(corpus, tmp_path / str(core_shards), config, model_type, settings)
        runs[core_shards] = trainer, [event.losses["loss"] for event in trainer.train() if hasattr(event, "losses")]
    _assert_same_step(runs[True][0], runs[False][0])
    assert runs[True][1] == pytest.approx(runs[False][1], rel=1e-5)


def test_a_char_lstm_with_dropout_between_layers_is_not_sharded(tmp_path, two_threads):
    corpus = TextCorpus("python-code", load_text_corpus("python-code").text[:20_000], "test slice")
    trainer = TextTrainer(corpus, tmp_path, TextTrainingConfig(max_steps=1, batch_size=32, block_size=32), "char-lstm",
                          dict(embedding_dim=16, hidden_size=32, num_layers=2, dropout=0.1))
    assert trainer.core_shards.count == 1


def test_families_whose_steps_do_not_use_shards_keep_every_thread(tiny_dataset, tmp_path, tiny_dcgan_config, two_threads,
                                                                  monkeypatch):
    """Even where shards would be exact, a family whose step does not run through them never
    engages them (that would run its whole batch on one thread)."""
    from genai_demo.training import GANTrainer, GANTrainingConfig, core_shards

    monkeypatch.setattr(core_shards, "shard_count", lambda *args: 2)
    config = GANTrainingConfig(max_steps=2, batch_size=64, log_every=1, sample_every=1000, save_every=1000)
    trainer = GANTrainer(tiny_dataset, tmp_path / "gan", config, model_config=tiny_dcgan_config, model_type="dcgan")
    assert trainer.core_shards.count == 1
    assert all(torch.get_num_threads() == 2 for _ in trainer.train())
    vae = VAETrainer(tiny_dataset, tmp_path / "vae", VAETrainingConfig(max_steps=1), model_config=TINY_VAE)
    assert vae.core_shards.count == 2
