"""Model cards: YAML metadata the Hub understands, then what the model is and how it was made."""

from __future__ import annotations

from dataclasses import dataclass, field

from huggingface_hub import ModelCard, ModelCardData

# What each family optimises, in one line for the card (the Learn tab has the full story).
OBJECTIVES = {
    "dcgan": (
        "Non-saturating GAN loss (Goodfellow et al. 2014): the discriminator minimises "
        "`-log D(x) - log(1 - D(G(z)))`, the generator minimises `-log D(G(z))`."
    ),
    "classifier": (
        "Cross-entropy of the labels. Frozen after training: its penultimate-layer features "
        "define classifier-FID, its predictions the class accuracy of conditional samples."
    ),
}
OBJECTIVES["mlp-gan"] = OBJECTIVES["dcgan"]
OBJECTIVES["cdcgan"] = OBJECTIVES["dcgan"] + " Both networks also see the class label (Mirza & Osindero 2014)."
OBJECTIVES["wgan-gp"] = (
    "Wasserstein GAN with gradient penalty (Gulrajani et al. 2017): the critic minimises "
    "`f(G(z)) - f(x) + 10 * (||grad f(x_hat)|| - 1)^2`, the generator minimises `-f(G(z))`."
)
OBJECTIVES["vae"] = (
    "Negative ELBO (Kingma & Welling 2014): Bernoulli reconstruction NLL + beta * KL(q(z|x) || N(0, I)), "
    "in nats per image; z is sampled with the reparameterisation trick."
)
OBJECTIVES["ddpm"] = (
    "Denoising diffusion (Ho et al. 2020), simplified loss: the UNet predicts the noise `eps` added "
    "to `x_0` at a random timestep t, minimising `||eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t)||^2`. "
    "The saved weights are an exponential moving average of the trained ones."
)
OBJECTIVES["char-lstm"] = (
    "Next-character cross-entropy (truncated backpropagation through time over windows of the corpus); "
    "validation loss is reported in bits per character."
)
OBJECTIVES["tiny-gpt"] = (
    "Next-token cross-entropy of a causal transformer (GPT-2 architecture) over a tokenizer built on "
    "the corpus (byte-level BPE, or one token per character: see the table); validation loss is "
    "reported in bits per character, so it compares with character models."
)
PIPELINE_TAGS = {
    "dcgan": "unconditional-image-generation",
    "mlp-gan": "unconditional-image-generation",
    "cdcgan": "image-generation",
    "vae": "unconditional-image-generation",
    "wgan-gp": "unconditional-image-generation",
    "classifier": "image-classification",
    "ddpm": "unconditional-image-generation",
    "char-lstm": "text-generation",
    "tiny-gpt": "text-generation",
}
TITLES = {"ddpm": "denoising diffusion model (diffusers UNet2DModel)", "char-lstm": "character-level LSTM",
          "tiny-gpt": "tiny GPT (transformers GPT-2 architecture)", "dcgan": "DCGAN", "mlp-gan": "MLP GAN", "cdcgan": "conditional DCGAN", "wgan-gp": "WGAN-GP", "vae": "variational autoencoder", "classifier": "LeNet-style classifier",
          "causal-lm": "causal language model (transformers)"}
FAMILY_TAGS = {
    "dcgan": ["gan", "image-generation"],
    "mlp-gan": ["gan", "image-generation"],
    "cdcgan": ["gan", "conditional-gan", "image-generation"],
    "vae": ["vae", "image-generation"],
    "wgan-gp": ["gan", "wgan-gp", "image-generation"],
    "classifier": ["image-classification", "metric"],
    "ddpm": ["diffusers", "diffusion", "ddpm", "image-generation"],
    "char-lstm": ["lstm", "text-generation"],
    "tiny-gpt": ["gpt2", "transformers", "text-generation"],
}

USAGE = {
    "dcgan": """```bash
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --out grid.png
```

```python
from genai_demo.folders import load_model_folder
from genai_demo.images import make_grid

model = load_model_folder("path/to/NAME")
images = model.generate(model.sample_latents(64, seed=0))  # (64, C, H, W) in [-1, 1]
make_grid(images).save("grid.png")
```""",
    "ddpm": """```python
from diffusers import DiffusionPipeline

pipeline = DiffusionPipeline.from_pretrained("path/to/NAME")  # add trust_remote_code=True if class-conditional
images = pipeline(batch_size=16, num_inference_steps=50).images
```

```bash
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --out grid.png
```""",
    "char-lstm": """```bash
python -m genai_demo generate path/to/NAME --prompt "def " --max-new-tokens 200 --seed 0
```""",
    "tiny-gpt": """```python
from transformers import AutoModelForCausalLM, AutoTokenizer

model = AutoModelForCausalLM.from_pretrained("path/to/NAME")
tokenizer = AutoTokenizer.from_pretrained("path/to/NAME")
ids = tokenizer("def ", return_tensors="pt").input_ids
print(tokenizer.decode(model.generate(ids, max_new_tokens=100, do_sample=True)[0]))
```""",
    "classifier": """```python
from genai_demo.folders import load_model_folder

classifier = load_model_folder("path/to/NAME")
logits = classifier(images)              # images: (N, C, H, W) in [-1, 1]
features = classifier.features(images)   # what classifier-FID compares
```""",
}


@dataclass
class TrainingFacts:
    """Everything the card states about a training run."""

    model_type: str
    model_name: str
    dataset_name: str
    dataset_source: str
    hub_dataset_id: str | None
    command: str
    figures: dict[str, str] = field(default_factory=dict)  # label -> value, in table order
    sample_grid_file: str | None = "sample_grid.png"
    sample_text: str | None = None  # text models show a sample instead of a grid


def build_model_card(facts: TrainingFacts) -> str:
    """The README.md text of a model folder."""
    card_data = ModelCardData(
        library_name="genai-demo",
        license="mit",
        pipeline_tag=PIPELINE_TAGS.get(facts.model_type),
        tags=["genai-demo", facts.model_type, facts.dataset_name, *FAMILY_TAGS.get(facts.model_type, [])],
        datasets=[facts.hub_dataset_id] if facts.hub_dataset_id else None,
    )
    title = TITLES.get(facts.model_type, facts.model_type)
    usage = USAGE.get(facts.model_type, USAGE["dcgan"]).replace("NAME", facts.model_name)
    figure_rows = "\n".join(f"| {label} | {value} |" for label, value in facts.figures.items())
    samples = (
        f"![64 samples from a fixed seed]({facts.sample_grid_file})\n\n" if facts.sample_grid_file else ""
    )
    if facts.sample_text:
        samples = f"A sample (seed 0):\n\n```text\n{facts.sample_text}\n```\n\n"
    body = f"""
# {facts.model_name}

A {title} trained on **{facts.dataset_name}** with genai-demo.

{samples}## Objective

{OBJECTIVES.get(facts.model_type, "")}

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
