"""The Text tab through gradio_client: streaming, reproducibility, clear errors."""

import pytest
from gradio_client import Client


@pytest.fixture(scope="module")
def client(live_app, user_text_model):
    url, _ = live_app
    return Client(url, verbose=False)


def test_generation_streams_partial_texts(client, user_text_model):
    job = client.submit(user_text_model, "def ", 40, 1.0, 0, 1.0, 1.0, 7, api_name="/generate_text")
    final = job.result(timeout=120)
    partials = job.outputs()
    assert len(partials) > 1
    assert all(later.startswith(earlier) for earlier, later in zip(partials, partials[1:]))
    assert partials[-1] == final and 0 < len(final) <= 40  # a char LSTM: one character per token
    again = client.predict(user_text_model, "def ", 40, 1.0, 0, 1.0, 1.0, 7, api_name="/generate_text")
    assert again == final


@pytest.mark.parametrize(
    "args, message",
    [
        (("no-such-model", "x", 5, 1.0, 0, 1.0, 1.0, 0), "no model called 'no-such-model'"),
        (("tiny-char-lstm-test", "x", 5, 1.0, 0, 0.0, 1.0, 0), "Value 0.0 is less than minimum value 0.01"),
        (("hub:HuggingFaceTB/SmolLM2-135M", "x", 5, 1.0, 0, 1.0, 1.0, 0), "not in the local Hub cache"),
    ],
)
def test_bad_input_gets_a_clear_message(client, user_text_model, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/generate_text")


def test_hub_load_offline_is_a_clear_message(client):
    with pytest.raises(Exception, match="not in the local Hub cache and HF_HUB_OFFLINE is set"):
        client.predict("HuggingFaceTB/SmolLM2-135M", api_name="/load_hub_text_model")
