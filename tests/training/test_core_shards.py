"""A step split into per-core shards (core_shards.py) must compute the whole batch's step, leave
PyTorch's thread count as it found it, and fall back to one shard where shards would change the math."""

import threading

import pytest
import torch
from torch import nn

from genai_demo.models import VAEConfig
from genai_demo.training import VAETrainer, VAETrainingConfig
from genai_demo.training.core_shards import CoreShards, shard_count

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


def test_engaged_shards_hold_one_thread_until_released_or_paused(two_threads):
    shards = CoreShards(2)
    shards.engage()
    assert torch.get_num_threads() == 1
    with shards.paused():
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 1
    shards.close()
    assert torch.get_num_threads() == 2


def _vae_run(dataset, folder, core_shards: bool, steps: int = 6):
    config = VAETrainingConfig(max_steps=steps, batch_size=64, log_every=2, sample_every=3, save_every=4,
                               mixed_precision=False, core_shards=core_shards)
    trainer = VAETrainer(dataset, folder, config, model_config=TINY_VAE)
    losses = [event.losses for event in trainer.train() if hasattr(event, "losses")]
    return trainer, losses


def test_sharded_vae_steps_train_the_same_weights_as_whole_batch_steps(tiny_dataset, tmp_path, two_threads):
    sharded, sharded_losses = _vae_run(tiny_dataset, tmp_path / "sharded", core_shards=True)
    whole, whole_losses = _vae_run(tiny_dataset, tmp_path / "whole", core_shards=False)
    assert sharded.core_shards.count == 2 and whole.core_shards.count == 1
    assert torch.get_num_threads() == 2  # restored after the run, pauses for grids and checkpoints included
    for name, tensor in whole.model.state_dict().items():
        torch.testing.assert_close(sharded.model.state_dict()[name], tensor, rtol=1e-4, atol=1e-5, msg=name)
    for sharded_step, whole_step in zip(sharded_losses, whole_losses):
        assert sharded_step == pytest.approx(whole_step, rel=1e-4)
    assert sharded_losses[-1]["negative_elbo"] < sharded_losses[0]["negative_elbo"]


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
