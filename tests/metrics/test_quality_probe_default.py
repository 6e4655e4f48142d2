from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.metrics.quality import DEFAULT_CLASSIFIER, shipped_classifier


def test_each_dataset_gets_its_shipped_classifier_and_others_fall_back_to_mnists():
    assert shipped_classifier("mnist") == SHIPPED_CHECKPOINTS / "classifier-mnist" == DEFAULT_CLASSIFIER
    assert shipped_classifier("no-such-dataset") == DEFAULT_CLASSIFIER
    for folder in SHIPPED_CHECKPOINTS.glob("classifier-*"):
        assert shipped_classifier(folder.name.removeprefix("classifier-")) == folder
