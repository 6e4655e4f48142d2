"""The Hub tab through its API: details of every shipped model, pull from the Hub cache, rename,
delete, and the clear refusals (shipped models, no token)."""

import os
import shutil
from pathlib import Path

import pytest
from gradio_client import Client

from conftest import REPO_ROOT, hub_cache_snapshot

SHIPPED = sorted(path.name for path in (REPO_ROOT / "checkpoints").iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def client(live_app):
    url, _ = live_app
    return Client(url, verbose=False)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_has_details_and_a_card(client, name):
    summary, grid, card = client.predict(name, api_name="/hub_model_details")
    assert f"### {name}" in summary and "shipped with genai-demo" in summary
    parameters = int(summary.split("| parameters | ")[1].split(" |")[0].replace(",", ""))
    assert parameters > 100_000
    assert card.startswith(f"# {name}") and "## Use this model" in card
    assert "![" not in card  # image links are dropped: the grid is shown beside the card
    if (REPO_ROOT / "checkpoints" / name / "sample_grid.png").is_file():
        assert Path(grid).is_file()
    if name == "dcgan-mnist":
        assert "| classifier fid | 20.361 |" in summary  # eval_results.json, cached by `genai_demo eval`


def test_pull_from_the_cache_then_rename_and_delete(client):
    cache = Path(os.environ["HF_HOME"]) / "hub"  # the app's Hub cache (it inherits this environment)
    snapshot = hub_cache_snapshot(cache, "someone/hub-tab-dcgan")
    for file_name in ("config.json", "model.safetensors", "README.md"):
        shutil.copy(REPO_ROOT / "checkpoints" / "dcgan-mnist" / file_name, snapshot / file_name)
    try:
        dropdown, table, status = client.predict("someone/hub-tab-dcgan", "", api_name="/pull_model")
        assert dropdown["value"] == "someone--hub-tab-dcgan" and "Pulled into" in status
        assert "someone--hub-tab-dcgan" in [row[0] for row in table["data"]]
        summary, _, _ = client.predict("someone--hub-tab-dcgan", api_name="/hub_model_details")
        assert "pulled from someone/hub-tab-dcgan@0123456" in summary
        dropdown, _, status = client.predict("someone--hub-tab-dcgan", "my-pulled-dcgan", "", api_name="/rename_model")
        assert dropdown["value"] == "my-pulled-dcgan"
        dropdown, table, status = client.predict("my-pulled-dcgan", "", api_name="/delete_model")
        assert status == "Deleted **my-pulled-dcgan**."
        assert "my-pulled-dcgan" not in [row[0] for row in table["data"]]
    finally:
        shutil.rmtree(snapshot.parents[1])


@pytest.mark.parametrize(
    "api_name, args, message",
    [
        ("/delete_model", ("dcgan-mnist", ""), "shipped with genai-demo and cannot be renamed or deleted"),
        ("/rename_model", ("dcgan-mnist", "mine", ""), "shipped with genai-demo"),
        ("/pull_model", ("someone/never-downloaded", ""), "not in the local Hub cache and HF_HUB_OFFLINE is set"),
        ("/pull_model", ("not a repo id", ""), "is not a Hub model id"),
        ("/push_model", ("dcgan-mnist", "me/dcgan", True, "", ""), "HF_HUB_OFFLINE is set"),
        ("/hub_model_details", ("no-such-model",), "no model called 'no-such-model'"),
    ],
)
def test_refusals_are_clear_messages(client, api_name, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api_name)
    assert (REPO_ROOT / "checkpoints" / "dcgan-mnist" / "model.safetensors").is_file()
