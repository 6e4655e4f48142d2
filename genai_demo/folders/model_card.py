"""Model cards: YAML metadata the Hub understands, then what the model is and how it was made."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from huggingface_hub import ModelCard, ModelCardData

from genai_demo.families import FAMILIES


@dataclass
class TrainingFacts:
    """Everything the card states about a training run."""

    model_type: str  # the family's name (genai_demo.families)
    model_name: str
    dataset_name: str
    dataset_source: str
    hub_dataset_id: str | None
    command: str
    figures: dict[str, str] = field(default_factory=dict)  # label -> value, in table order
    sample_grid_file: str | None = "sample_grid.png"
    sample_text: str | None = None  # text models show a sample instead of a grid
    # A run's best checkpoint (its `best/` folder): "step 1,500, classifier_fid 21.3". Titled
    # "<run>/best", the name the app lists it by, with no grid (the grid is the latest's).
    best_of_run: str | None = None


def best_checkpoint_facts(facts: TrainingFacts, best: str) -> TrainingFacts:
    """The facts of a run's `best/` folder: its own title and a line saying which checkpoint it is."""
    return replace(facts, model_name=f"{facts.model_name}/best", sample_grid_file=None, best_of_run=best)


def build_model_card(facts: TrainingFacts) -> str:
    """The README.md text of a model folder."""
    family = FAMILIES[facts.model_type]
    card_data = ModelCardData(
        library_name="genai-demo",
        license="mit",
        pipeline_tag=family.pipeline_tag,
        tags=["genai-demo", facts.model_type, facts.dataset_name, *family.tags],
        datasets=[facts.hub_dataset_id] if facts.hub_dataset_id else None,
    )
    title = family.title
    usage = family.usage.replace("NAME", facts.model_name)
    figure_rows = "\n".join(f"| {label} | {value} |" for label, value in facts.figures.items())
    samples = (
        f"![64 samples from a fixed seed]({facts.sample_grid_file})\n\n" if facts.sample_grid_file else ""
    )
    if facts.sample_text:
        samples = f"A sample (seed 0):\n\n```text\n{facts.sample_text}\n```\n\n"
    if facts.best_of_run:
        run = facts.model_name.rsplit("/", 1)[0]
        samples = (f"The best evaluated checkpoint of the run **{run}** ({facts.best_of_run}); "
                   f"`{run}` itself holds the latest.\n\n") + samples
    body = f"""
# {facts.model_name}

A {title} trained on **{facts.dataset_name}** with genai-demo.

{samples}## Objective

{family.objective}

## Training

Data: {facts.dataset_source}.

```bash
{facts.command}
```

| figure | value |
|---|---|
{figure_rows}

## Use this model

{usage}

Weights are safetensors and configs JSON: nothing in this folder is unpickled.
"""
    return str(ModelCard(f"---\n{card_data.to_yaml()}\n---\n{body}"))
