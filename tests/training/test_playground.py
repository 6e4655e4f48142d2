"""The 2D playground's trainer: its update cycle, reproducibility, the numbers it records, the CLI."""

import json

import pytest
import torch

from genai_demo.cli import main
from genai_demo.errors import InvalidInputError
from genai_demo.training.playground import FAMILIES, Playground, PlaygroundConfig, preset, unmet

TINY = {"hidden": 16, "batch_size": 32}


def test_wgan_gp_makes_n_critic_critic_updates_then_one_generator_update():
    playground = Playground(PlaygroundConfig(family="wgan-gp", n_critic=3, **TINY))
    assert [playground.update() for _ in range(8)] == [
        "critic 1/3", "critic 2/3", "critic 3/3", "generator", "critic 1/3", "critic 2/3", "critic 3/3", "generator"]
    assert playground.iteration == 6  # a step is a critic update, as the image WGAN-GP trainer counts
    generator_before = [parameter.clone() for parameter in playground.generator.parameters()]
    playground.step()  # critic 1/3: the generator does not move
    assert all(torch.equal(a, b) for a, b in zip(generator_before, playground.generator.parameters()))
    playground.train(2)  # critic 2/3, critic 3/3 and the generator's update
    assert not all(torch.equal(a, b) for a, b in zip(generator_before, playground.generator.parameters()))
    assert playground.updates_in_iteration == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_trains_reproducibly_and_records_its_losses_and_numbers(family):
    def history(seed):
        playground = Playground(PlaygroundConfig(family=family, seed=seed, **TINY))
        playground.train(20)
        return playground.measure(200)

    first, again, other = history(0), history(0), history(1)
    assert first == again
    assert first.losses != other.losses
    assert first.step == 20 and first.losses and all(torch.isfinite(torch.tensor(v)) for v in first.losses.values())
    assert first.modes == 8 and 0 <= first.modes_covered <= 8 and 0 <= first.high_quality <= 1
    assert first.sliced_wasserstein > 0


def test_moons_has_no_modes_to_count_but_a_distance():
    playground = Playground(PlaygroundConfig(family="vae", dataset="moons", **TINY))
    record = playground.measure(200)
    assert record.modes_covered is None and record.high_quality is None and record.sliced_wasserstein > 0


def test_the_ema_is_what_is_sampled():
    playground = Playground(PlaygroundConfig(family="gan", ema_decay=0.9, **TINY))
    playground.train(10)
    raw = playground.generator(torch.randn(5, 2, generator=torch.Generator().manual_seed(0)))
    assert not torch.allclose(playground.sample(5, seed=0), raw)
    playground.averaged = None
    assert torch.allclose(playground.sample(5, seed=0), raw)


@pytest.mark.parametrize("changes, message", [
    ({"family": "flow"}, "unknown playground family"), ({"learning_rate": 5.0}, "learning rate"),
    ({"n_critic": 0}, "critic steps per generator step"), ({"batch_size": 0}, "batch size"), ({"dataset": "circle"}, "unknown 2D dataset"),
])
def test_bad_settings_are_refused_with_a_message(changes, message):
    with pytest.raises(InvalidInputError, match=message):
        Playground(PlaygroundConfig(**changes))


def test_the_cli_writes_the_curves_and_figures(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["playground", "--family", "ddpm", "--dataset", "grid25", "--steps", "40", "--measure-every", "20",
                 "--measure-samples", "200", "--seed", "2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ddpm on grid25, 40 steps, seed 2: modes covered" in printed and "steps/s" in printed
    result = json.loads(out.read_text())
    assert [record["step"] for record in result["curves"]] == [0, 20, 40]
    assert result["config"]["family"] == "ddpm" and result["figures"]["final"]["modes"] == 25
    assert result["figures"]["iterations_per_second"] > 0


def test_the_cli_refuses_bad_settings_in_one_line(capsys):
    assert main(["playground", "--family", "flow", "--steps", "10"]) == 2
    assert main(["playground", "--steps", "10", "--measure-every", "50"]) == 2
    assert main(["playground", "--preset", "nothing"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)


def test_a_collapse_claim_needs_sharp_samples_on_few_modes():
    claims = preset("ns-gan-collapse").claims

    def run(*points):
        curves = [{"modes_covered": modes, "modes": 8, "high_quality": quality} for modes, quality in points]
        return {"curves": curves, "figures": {"final": curves[-1]}}

    assert unmet(claims, run((0, 0.0), (8, 0.6), (2, 0.9))) == []
    assert unmet(claims, run((0, 0.0), (2, 0.9), (8, 0.9))) == []  # sharp on two modes: collapsed, then recovered
    assert unmet(claims, run((0, 0.0), (1, 0.02), (8, 0.9)))  # few modes only while untrained (blurry)
    assert unmet(claims, run((0, 0.0), (8, 0.6), (3, 0.2)))  # few modes, but blurry: not a collapse


def test_networks_are_not_built_while_another_thread_loads_a_pretrained_model():
    """diffusers' and transformers' from_pretrained switch weight initialisation off process-wide (and
    accelerate makes new parameters meta): a run waits for the lock they are loaded under."""
    import threading

    from genai_demo.models.building import building_lock

    built = threading.Event()
    with building_lock:
        thread = threading.Thread(target=lambda: (Playground(PlaygroundConfig(**TINY)), built.set()))
        thread.start()
        assert not built.wait(0.5)  # held off while "loading"
    assert built.wait(30)
    thread.join()
