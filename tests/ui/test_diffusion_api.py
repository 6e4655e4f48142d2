"""The Diffusion tab through gradio_client: streaming, reproducibility, clear errors."""

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image


@pytest.fixture(scope="module")
def client(live_app, user_diffusion_model):
    url, _ = live_app
    return Client(url, verbose=False)


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path))


def test_sampling_streams_intermediate_grids_then_the_result(client, user_diffusion_model):
    job = client.submit(user_diffusion_model, "ddim", 10, 4, 3, "all", "sample", api_name="/sample_diffusion")
    final_path, status = job.result(timeout=120)
    updates = job.outputs()
    assert len(updates) == 10  # one grid per step when there are 10 steps
    assert [text.split(":")[0] for _, text in updates] == ["Denoising"] * 9 + ["Done"]
    assert "step 10/10 with ddim, seed 3" in status
    first, last = _pixels(updates[0][0]), _pixels(final_path)
    assert last.shape == first.shape == (62, 62)  # 2x2 grid of 28 px with 2 px padding
    assert not np.array_equal(first, last)  # the grid changed while it denoised


def test_same_seed_same_samples_with_each_sampler(client, user_diffusion_model):
    for sampler in ("ddim", "dpm-solver++", "ddpm"):
        runs = [client.predict(user_diffusion_model, sampler, 4, 2, 11, "all", "guess", api_name="/sample_diffusion")
                for _ in range(2)]
        assert np.array_equal(_pixels(runs[0][0]), _pixels(runs[1][0])), sampler


@pytest.mark.parametrize(
    "args, message",
    [
        (("tiny-ddpm-test", "euler", 5, 2, 0, "all", "sample"), "euler"),
        (("no-such-model", "ddim", 5, 2, 0, "all", "sample"), "no model called 'no-such-model'"),
        (("tiny-ddpm-test", "ddim", 5, 500, 0, "all", "sample"), "500"),
        (("hub:google/ddpm-cifar10-32", "ddim", 5, 2, 0, "all", "sample"), "not in the local Hub cache"),
    ],
)
def test_bad_input_gets_a_clear_message(client, user_diffusion_model, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/sample_diffusion")


def test_hub_load_offline_is_a_clear_message(client):
    with pytest.raises(Exception, match="not in the local Hub cache and HF_HUB_OFFLINE is set"):
        client.predict("google/ddpm-cifar10-32", api_name="/load_hub_pipeline")
    with pytest.raises(Exception, match="Hub model id"):
        client.predict("not a repo id!", api_name="/load_hub_pipeline")


def test_a_guided_model_reads_a_chinese_prompt_and_says_how(client, user_guided_diffusion_model):
    path, status = client.predict(user_guided_diffusion_model, "ddim", 3, 4, 0, "all", "sample", "一个粗的3", 2.0,
                                  api_name="/sample_diffusion")
    assert "understood as: class 3 (digit 3) · thick" in status and _pixels(path).shape[:2] == (62, 62)
    with pytest.raises(Exception, match="did not understand 'cat'"):
        client.predict(user_guided_diffusion_model, "ddim", 3, 4, 0, "all", "sample", "a cat", 2.0,
                       api_name="/sample_diffusion")
    with pytest.raises(Exception, match="greater than maximum value 10"):  # the slider refuses it
        client.predict(user_guided_diffusion_model, "ddim", 3, 4, 0, "all", "sample", "7", 99,
                       api_name="/sample_diffusion")


def test_a_prompt_for_a_model_that_takes_none_is_refused_not_ignored(client, user_diffusion_model):
    with pytest.raises(Exception, match="takes no prompt"):
        client.predict(user_diffusion_model, "ddim", 3, 2, 0, "all", "sample", "7", 2.0, api_name="/sample_diffusion")
