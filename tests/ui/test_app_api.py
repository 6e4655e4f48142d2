"""The app as a user's script sees it: `python app.py` on a port, called through gradio_client."""

import time
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

import app
from conftest import running_app

SHIPPED = "dcgan-mnist"


@pytest.fixture(scope="module")
def client(live_app):
    url, _ = live_app
    return Client(url, verbose=False)


def _pixels(path):
    with Image.open(path) as image:
        return np.asarray(image)


def test_named_endpoint_returns_a_64_sample_grid_within_30_s_of_launch():
    with running_app() as (url, launched):  # a cold start of its own
        client = Client(url, verbose=False)
        image_path, caption = client.predict(SHIPPED, 64, 0, api_name="/generate_images")
        seconds_since_launch = time.perf_counter() - launched
    pixels = _pixels(image_path)
    assert pixels.shape == (242, 242)  # 8x8 digits of 28 px, 2 px apart
    assert pixels.std() > 20  # digits, not a blank image
    assert "64 samples" in caption and "seed 0" in caption
    assert seconds_since_launch < 30


def test_same_seed_same_image_other_seed_other_image(client):
    first = _pixels(client.predict(SHIPPED, 16, 42, api_name="/generate_images")[0])
    again = _pixels(client.predict(SHIPPED, 16, 42, api_name="/generate_images")[0])
    other = _pixels(client.predict(SHIPPED, 16, 43, api_name="/generate_images")[0])
    assert first.shape == (122, 122)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_concurrent_identical_requests_all_succeed(live_app):
    """Gradio's PIL cache races on identical outputs (shared/PITFALLS.md); ours must not."""
    url, _ = live_app
    reference = _pixels(Client(url, verbose=False).predict(SHIPPED, 64, 7, api_name="/generate_images")[0])

    def one_request(_):
        return _pixels(Client(url, verbose=False).predict(SHIPPED, 64, 7, api_name="/generate_images")[0])

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(one_request, range(24)))
    assert len(results) == 24
    assert all(np.array_equal(result, reference) for result in results)


@pytest.mark.parametrize(
    "args,message",
    [
        (("no-such-model", 8, 0), r"no model called 'no-such-model'; available: .*dcgan-mnist"),
        (("../../etc", 8, 0), "no model called"),
        # Gradio checks a slider's range itself; either message names the limit.
        ((SHIPPED, 0, 0), "(less than minimum value 1|must be a whole number from 1 to 256)"),
        ((SHIPPED, 100000, 0), "(greater than maximum value 256|must be a whole number from 1 to 256)"),
        ((SHIPPED, 8.5, 0), "must be a whole number from 1 to 256"),
        ((SHIPPED, 8, -5), "(less than minimum value 0|seed must be a whole number)"),
        ((SHIPPED, 8, 2**40), "(greater than maximum value|seed must be a whole number)"),
    ],
)
def test_bad_input_gets_a_clear_message_and_the_server_keeps_serving(client, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/generate_images")
    image_path, _ = client.predict(SHIPPED, 4, 0, api_name="/generate_images")
    assert _pixels(image_path).shape == (62, 62)


def test_interpolation_endpoint_returns_a_strip_and_an_animation(client):
    strip_path, gif_path = client.predict(SHIPPED, 0, 1, 6, api_name="/interpolate_latents")
    assert _pixels(strip_path).shape == (32, 6 * 30 + 2)
    with Image.open(gif_path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 10  # 6 frames forward, 4 back
    with pytest.raises(Exception, match="interpolation steps|minimum value 2"):
        client.predict(SHIPPED, 0, 1, 1, api_name="/interpolate_latents")


def test_vae_reconstructs_an_uploaded_digit(client, tmp_path):
    from gradio_client import handle_file

    from genai_demo.data import load_mnist
    from genai_demo.images import make_grid

    test_set = load_mnist("test", source="embedded")
    digit = test_set.to_training_tensor()[:1]
    upload = tmp_path / "digit.png"
    make_grid(digit, padding=0).resize((112, 112)).save(upload)
    seen_path, reconstruction_path = client.predict(
        "vae-mnist", None, handle_file(str(upload)), api_name="/reconstruct_digit"
    )
    seen, reconstruction = _pixels(seen_path) / 255.0, _pixels(reconstruction_path) / 255.0
    assert seen.shape == reconstruction.shape == (28, 28)
    # The reconstruction resembles the input far more than a blank image does.
    error = np.abs(seen - reconstruction).mean()
    assert error < 0.5 * np.abs(seen).mean()
    with pytest.raises(Exception, match="only a VAE can reconstruct"):
        client.predict(SHIPPED, None, handle_file(str(upload)), api_name="/reconstruct_digit")
    with pytest.raises(Exception, match="Draw a digit or upload"):
        client.predict("vae-mnist", None, None, api_name="/reconstruct_digit")


def test_conditional_model_class_choice_and_one_row_per_class(client):
    all_rows = _pixels(client.predict("cdcgan-mnist", 64, 0, "all", api_name="/generate_images")[0])
    assert all_rows.shape == (10 * 30 + 2, 6 * 30 + 2)  # ten rows (classes) of six
    image_path, caption = client.predict("cdcgan-mnist", 16, 0, "7", api_name="/generate_images")
    assert _pixels(image_path).shape == (122, 122) and "of class 7" in caption
    with pytest.raises(Exception, match="class"):
        client.predict("cdcgan-mnist", 16, 0, "eleven", api_name="/generate_images")


def test_auth_refuses_without_the_login_and_serves_with_it(monkeypatch):
    monkeypatch.setenv("GENAI_DEMO_AUTH", "ada:s3cret:with-colon")
    with running_app() as (url, _):
        with pytest.raises(Exception):
            Client(url, verbose=False).predict(SHIPPED, 4, 0, api_name="/generate_images")
        with pytest.raises(Exception):
            Client(url, auth=("ada", "wrong"), verbose=False)
        grid_path, caption = Client(url, auth=("ada", "s3cret:with-colon"), verbose=False).predict(
            SHIPPED, 4, 0, api_name="/generate_images"
        )
        assert Path(grid_path).is_file() and "4 samples" in caption


@pytest.mark.parametrize("value", ["justauser", ":nopassword", "nouser:"])
def test_malformed_auth_is_a_clear_error(value, capsys):
    assert app.main(["--auth", value]) == 2  # `python app.py`'s main, refused before anything starts
    assert "must be USER:PASSWORD" in capsys.readouterr().err


def _page_config(url: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(url + "config", timeout=30) as response:
        return json.loads(response.read())


def _training_handlers(config: dict) -> list[int]:
    """Ids of the events wired to the Train button: none may exist in a read-only app."""
    train_ids = {component["id"] for component in config["components"]
                 if component.get("props", {}).get("elem_id") == "train-start"}
    return [index for index, dependency in enumerate(config["dependencies"])
            if any(target[0] in train_ids for target in dependency.get("targets", []))]


def test_read_only_mode_has_no_training_and_still_generates(live_app):
    url, _ = live_app
    assert _training_handlers(_page_config(url))  # the normal app has a Train button with its handler
    with running_app("--read-only", "--root-path", "/demo") as (read_only_url, _):
        config = _page_config(read_only_url)
        assert not _training_handlers(config)
        assert not any(component.get("props", {}).get("elem_id", "").startswith("train-")
                       for component in config["components"])
        assert config["root"].endswith("/demo")  # links are built for the reverse proxy's prefix
        api_names = {dependency.get("api_name") for dependency in config["dependencies"]}
        assert "hub_model_details" in api_names  # the Hub tab still shows models and cards...
        assert not api_names & {"pull_model", "push_model", "rename_model", "delete_model"}  # ...and changes none
        grid_path, caption = Client(read_only_url, verbose=False).predict(SHIPPED, 4, 0, api_name="/generate_images")
        assert Path(grid_path).is_file() and "4 samples" in caption


def test_the_readme_curl_calls_work(live_app):
    """POST /gradio_api/call/generate_images, then GET the event stream: what the README's curl does."""
    import json
    import urllib.request

    url, _ = live_app
    request = urllib.request.Request(url + "gradio_api/call/generate_images", method="POST",
                                     data=json.dumps({"data": ["dcgan-mnist", 16, 0, "all"]}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(url + f"gradio_api/call/generate_images/{event_id}", timeout=60) as response:
        stream = response.read().decode()
    assert "event: complete" in stream
    data = json.loads(stream.split("event: complete\ndata: ", 1)[1].splitlines()[0])
    assert "16 samples from **dcgan-mnist**" in data[1] and data[0]["path"].endswith(".png")


def test_style_based_endpoints_truncate_and_mix(client):
    """`/generate_styled_images` takes psi and noise after `/generate_images`' four inputs; `/style_mixing`
    draws the mixing figure; both refuse what does not apply in one line."""
    style_model = "stylegan-fashion-mnist"
    plain = _pixels(client.predict(style_model, 16, 3, "all", api_name="/generate_images")[0])
    same = _pixels(client.predict(style_model, 16, 3, "all", 1.0, True, api_name="/generate_styled_images")[0])
    truncated, caption = client.predict(style_model, 16, 3, "all", 0.5, False, api_name="/generate_styled_images")
    assert np.array_equal(plain, same) and not np.array_equal(plain, _pixels(truncated))
    assert "truncation ψ 0.5, noise off" in caption
    figure, caption = client.predict(style_model, "0 1 2", "10 11", 3, 1.0, True, api_name="/style_mixing")
    assert _pixels(figure).shape == (2 + 4 * 30, 2 + 3 * 30)  # 3 rows and 2 columns, and the seeds' own images
    assert "3 × 2 mixes" in caption
    with pytest.raises(Exception, match="truncation and noise settings apply to style-based GANs"):
        client.predict(SHIPPED, 4, 0, "all", 0.5, True, api_name="/generate_styled_images")
    with pytest.raises(Exception, match="style mixing needs a style-based GAN"):
        client.predict(SHIPPED, "0", "1", 3, 1.0, True, api_name="/style_mixing")
