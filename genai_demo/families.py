"""The family registry: one record per model family, and every list of families derives from it.

A family is what `python -m genai_demo train FAMILY` trains and what a model folder's
`config.json` names: its model class, the trainer that trains it (by class name, resolved in
`genai_demo.training`, which sits above this module), the `model_type` its folders report, the
tab that shows it, its default hyper-parameters, the CLI flags that apply to it, and what its
model card says. Like transformers' `AutoConfig` mapping: adding a family means its model file,
its trainer and one record here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from genai_demo.errors import InvalidInputError

# Tabs that list a family's folders.
IMAGES_TAB, DIFFUSION_TAB, TEXT_TAB = "images", "diffusion", "text"
# How `python -m genai_demo eval` measures a family.
CLASSIFIER_FID, NEGATIVE_ELBO, TEST_ACCURACY, BITS_PER_CHAR = "classifier-fid", "negative-elbo", "test-accuracy", "bits-per-char"

# Flags of `train` that apply to every image family / every text family (the rest are in `options`).
IMAGE_OPTIONS = frozenset({"dataset", "image-size", "channels", "data-source", "epochs", "eval-samples",
                           "eval-classifier", "ema-decay", "float32"})
TEXT_OPTIONS = frozenset({"corpus", "block-size", "layers", "width", "dropout"})
GAN_OPTIONS = IMAGE_OPTIONS | {"latent-dim", "augment"}

_IMAGE_USAGE = """```bash
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --out grid.png
```

```python
from genai_demo.hub import load_model_folder
from genai_demo.images import make_grid

model = load_model_folder("path/to/NAME")
images = model.generate(model.sample_latents(64, seed=0))  # (64, C, H, W) in [-1, 1]
make_grid(images).save("grid.png")
```"""
_NON_SATURATING = (
    "Non-saturating GAN loss (Goodfellow et al. 2014): the discriminator minimises "
    "`-log D(x) - log(1 - D(G(z)))`, the generator minimises `-log D(G(z))`."
)


@dataclass(frozen=True)
class TrainingDefaults:
    """What the CLI and the Train form use when the user sets nothing."""

    learning_rate: float
    steps: int = 2000  # the Train form's default length (the CLI's text default too)
    batch_size: int = 64
    epochs: int | None = 25  # image families: epochs unless --max-steps; None: steps only
    latent_dim: int | None = None
    ema_decay: float | None = None  # the Train form's default (the shipped models' recipes)
    clusters: int | None = None  # the Train form's default self-conditioning clusters


# Seconds per training step at the family's default batch size, on a ZeroGPU H200 slice. ESTIMATES, NOT
# MEASURED: no GPU was at hand when they were written. Guessed from the models' sizes (28 px images, a few
# million parameters at most) and what such steps take on a data-centre GPU, with room to spare; a bigger
# batch scales them (ui/gpu.py). A family missing here gets the largest.
_GPU_STEP_SECONDS = {
    "mlp-gan": 0.005,
    "vae": 0.005,
    "dcgan": 0.01,
    "cdcgan": 0.01,
    "char-lstm": 0.01,
    "tiny-gpt": 0.02,
    "wgan-gp": 0.04,  # five critic steps with a gradient penalty per generator step
    "stylegan": 0.05,  # mapping network, style mixing, lazy R1
    "ddpm": 0.06,  # a UNet's forward and backward pass
}


@dataclass(frozen=True)
class Family:
    name: str  # CLI and form name; the folder's model_type unless saved_model_type says otherwise
    title: str  # "a {title} trained on mnist" (model cards, the models list)
    form_label: str  # the Train form's choice
    model: str  # "module:Class" of its model; imported when asked for (diffusers and transformers are slow to import)
    trainer: str | None  # class name in genai_demo.training; None: not trained here
    tab: str | None  # which generation tab lists its folders; None: none (the classifier)
    metric: str  # how `eval` measures it
    defaults: TrainingDefaults | None
    options: frozenset[str] = frozenset()  # `train` flags (without "--") that apply beyond the common ones
    objective: str = ""
    pipeline_tag: str = "unconditional-image-generation"
    tags: tuple[str, ...] = ()
    usage: str = _IMAGE_USAGE
    saved_model_type: str = ""  # what its folders report when it is not `name` (a transformers folder)
    in_train_tab: bool = True  # trained from the Train tab (the classifier: from the CLI only)
    # The options among those that set a field of the model's config: flag -> field.
    model_options: dict[str, str] = field(default_factory=dict)

    @property
    def model_type(self) -> str:
        return self.saved_model_type or self.name

    @property
    def gpu_step_seconds(self) -> float:
        """One training step at the default batch on a ZeroGPU H200 slice: sizes ZeroGPU's training
        slices (ui/gpu.py). Estimates, not measured: no GPU has been lent to this project."""
        return _GPU_STEP_SECONDS.get(self.name, max(_GPU_STEP_SECONDS.values()))

    @property
    def is_text(self) -> bool:
        return self.tab == TEXT_TAB

    @property
    def model_class(self) -> type:
        module, name = self.model.split(":")
        return getattr(importlib.import_module(module), name)

    @property
    def is_conditional(self) -> bool:
        """Always conditional on a class label (a diffusion model is so only when its config says)."""
        return getattr(self.model_class, "is_conditional", False) is True


FAMILIES: dict[str, Family] = {family.name: family for family in (
    Family(
        "mlp-gan", "MLP GAN", "MLP GAN (the textbook baseline)", "genai_demo.models.gan:MLPGAN", "GANTrainer", IMAGES_TAB,
        CLASSIFIER_FID, TrainingDefaults(2e-4, latent_dim=100), GAN_OPTIONS, _NON_SATURATING,
        tags=("gan", "image-generation"), model_options={"latent-dim": "latent_dim"},
    ),
    Family(
        "dcgan", "DCGAN", "DCGAN", "genai_demo.models.gan:DCGAN", "GANTrainer", IMAGES_TAB, CLASSIFIER_FID,
        TrainingDefaults(2e-4, latent_dim=100, ema_decay=0.999, clusters=50),
        GAN_OPTIONS | {"generator-features", "discriminator-features", "spectral-norm", "categorical-code",
                       "clusters", "pack", "minibatch-std"},
        _NON_SATURATING, tags=("gan", "image-generation"),
        model_options={"latent-dim": "latent_dim", "generator-features": "generator_features",
                       "discriminator-features": "discriminator_features", "spectral-norm": "spectral_norm",
                       "categorical-code": "categorical_code", "clusters": "clusters", "pack": "pack",
                       "minibatch-std": "minibatch_std"},
    ),
    Family(
        "cdcgan", "conditional DCGAN", "Conditional DCGAN", "genai_demo.models.gan:ConditionalDCGAN", "GANTrainer",
        IMAGES_TAB, CLASSIFIER_FID, TrainingDefaults(2e-4, latent_dim=100),
        GAN_OPTIONS | {"generator-features", "discriminator-features"},
        _NON_SATURATING + " Both networks also see the class label (Mirza & Osindero 2014).",
        pipeline_tag="image-generation", tags=("gan", "conditional-gan", "image-generation"),
        model_options={"latent-dim": "latent_dim", "generator-features": "generator_features",
                       "discriminator-features": "discriminator_features"},
    ),
    Family(
        "wgan-gp", "WGAN-GP", "WGAN-GP", "genai_demo.models.gan:WGANGP", "WGANGPTrainer", IMAGES_TAB, CLASSIFIER_FID,
        TrainingDefaults(1e-4, latent_dim=100),
        IMAGE_OPTIONS | {"latent-dim", "generator-features", "spectral-norm"},
        "Wasserstein GAN with gradient penalty (Gulrajani et al. 2017): the critic minimises "
        "`f(G(z)) - f(x) + 10 * (||grad f(x_hat)|| - 1)^2`, the generator minimises `-f(G(z))`.",
        tags=("gan", "wgan-gp", "image-generation"),
        model_options={"latent-dim": "latent_dim", "generator-features": "generator_features",
                       "spectral-norm": "spectral_norm"},
    ),
    Family(
        "stylegan", "style-based GAN (StyleGAN2 in miniature)", "StyleGAN (style-based, mapping network)",
        "genai_demo.models.stylegan:StyleGAN", "StyleGANTrainer", IMAGES_TAB, CLASSIFIER_FID,
        TrainingDefaults(2e-3, latent_dim=64, ema_decay=0.999, clusters=50),
        GAN_OPTIONS | {"generator-features", "discriminator-features", "w-dim", "mapping-layers", "r1-gamma",
                       "style-mixing", "clusters"},
        "Non-saturating GAN loss (Goodfellow et al. 2014) with the lazy R1 penalty "
        "`gamma / 2 * E ||grad_x D(x)||^2` on real images every 16 steps (Mescheder et al. 2018; Karras et al. "
        "2020), and style-mixing regularisation: 90% of fakes switch from one latent's styles to another's "
        "at a random layer. z goes through a mapping network to w; each layer's modulated convolution takes "
        "its style from w; the saved weights are an exponential moving average of the generator's.",
        tags=("gan", "stylegan", "image-generation"),
        model_options={"latent-dim": "latent_dim", "generator-features": "generator_features",
                       "discriminator-features": "discriminator_features", "w-dim": "w_dim",
                       "mapping-layers": "mapping_layers", "clusters": "clusters"},
        usage="""```bash
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --out grid.png
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --truncation 0.7 --out truncated.png
python -m genai_demo mix path/to/NAME --rows 0 1 2 3 --cols 10 11 12 13 --crossover 3 --out mixing.png
```

```python
from genai_demo.hub import load_model_folder

model = load_model_folder("path/to/NAME")
images = model.generate(model.sample_latents(64, seed=0), truncation=0.7)  # (64, C, H, W) in [-1, 1]
mixed = model.mix(model.sample_latents(4, seed=0), model.sample_latents(4, seed=1), crossover=3)
```""",
    ),
    Family(
        "vae", "variational autoencoder", "VAE", "genai_demo.models.vae:VAE", "VAETrainer", IMAGES_TAB, NEGATIVE_ELBO,
        TrainingDefaults(1e-3, latent_dim=16), IMAGE_OPTIONS | {"latent-dim", "kl-weight"},
        "Negative ELBO (Kingma & Welling 2014): Bernoulli reconstruction NLL + beta * KL(q(z|x) || N(0, I)), "
        "in nats per image; z is sampled with the reparameterisation trick.",
        tags=("vae", "image-generation"), model_options={"latent-dim": "latent_dim"},
    ),
    Family(
        "ddpm", "denoising diffusion model (diffusers UNet2DModel)",
        "Diffusion (DDPM, diffusers UNet)", "genai_demo.models.diffusion:DiffusionModel", "DiffusionTrainer", DIFFUSION_TAB, CLASSIFIER_FID,
        TrainingDefaults(5e-4, ema_decay=0.999), IMAGE_OPTIONS | {"class-conditional", "attributes", "unet-channels", "init-from", "min-snr-gamma"},
        "Denoising diffusion (Ho et al. 2020), simplified loss: the UNet predicts the noise `eps` added "
        "to `x_0` at a random timestep t, minimising "
        "`||eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t)||^2`. "
        "The saved weights are an exponential moving average of the trained ones.",
        tags=("diffusers", "diffusion", "ddpm", "image-generation"),
        model_options={"class-conditional": "num_class_embeds", "attributes": "attributes",
                       "unet-channels": "block_out_channels"},
        usage="""```python
from diffusers import DiffusionPipeline

pipeline = DiffusionPipeline.from_pretrained("path/to/NAME")  # add trust_remote_code=True if class-conditional
images = pipeline(batch_size=16, num_inference_steps=50).images  # unconditional: a plain DDPMPipeline
# class-conditional: pipeline(class_labels=[3, 7], guidance_scale=1.5).images  # DPM-Solver++, 10 steps
# (with attributes: 90 + class for a digit alone, class * 9 + thickness * 3 + slant for a cell; see
# class_conditional_pipeline.py)
```

```bash
python -m genai_demo sample path/to/NAME --num 64 --seed 0 --out grid.png
python -m genai_demo sample path/to/NAME --num 16 --prompt "a thin slanted 7" --guidance 1.5 --out sevens.npy  # conditional
```""",
    ),
    Family(
        "char-lstm", "character-level LSTM", "Character LSTM", "genai_demo.models.char_lstm:CharLSTM", "TextTrainer", TEXT_TAB,
        BITS_PER_CHAR, TrainingDefaults(2e-3, steps=1000, batch_size=32, epochs=None), TEXT_OPTIONS,
        "Next-character cross-entropy (truncated backpropagation through time over windows of the corpus); "
        "validation loss is reported in bits per character.",
        pipeline_tag="text-generation", tags=("lstm", "text-generation"),
        model_options={"layers": "num_layers", "width": "hidden_size", "dropout": "dropout"},
        usage="""```bash
python -m genai_demo generate path/to/NAME --prompt "def " --max-new-tokens 200 --seed 0
```""",
    ),
    Family(
        "tiny-gpt", "tiny GPT (transformers GPT-2 architecture)", "Tiny GPT (transformers GPT-2)", "genai_demo.models.causal_lm:CausalLM",
        "TextTrainer", TEXT_TAB, BITS_PER_CHAR, TrainingDefaults(1e-3, steps=1000, batch_size=32, epochs=None),
        TEXT_OPTIONS | {"vocab-size", "tokenizer"},
        "Next-token cross-entropy of a causal transformer (GPT-2 architecture) over a tokenizer built on "
        "the corpus (byte-level BPE, or one token per character: see the table); validation loss is "
        "reported in bits per character, so it compares with character models.",
        pipeline_tag="text-generation", tags=("gpt2", "transformers", "text-generation"),
        model_options={"layers": "n_layer", "width": "n_embd", "dropout": "dropout", "vocab-size": "vocab_size",
                       "tokenizer": "tokenizer"},
        usage="""```python
from transformers import AutoModelForCausalLM, AutoTokenizer

model = AutoModelForCausalLM.from_pretrained("path/to/NAME")
tokenizer = AutoTokenizer.from_pretrained("path/to/NAME")
ids = tokenizer("def ", return_tensors="pt").input_ids
print(tokenizer.decode(model.generate(ids, max_new_tokens=100, do_sample=True)[0]))
```""",
        saved_model_type="causal-lm",
    ),
    Family(
        "causal-lm", "causal language model (transformers)", "", "genai_demo.models.causal_lm:CausalLM", None, TEXT_TAB,
        BITS_PER_CHAR, None, pipeline_tag="text-generation", tags=("transformers", "text-generation"),
    ),
    Family(
        "classifier", "LeNet-style classifier", "", "genai_demo.models.classifier:ImageClassifier", "ClassifierTrainer", None,
        TEST_ACCURACY, TrainingDefaults(1e-3, epochs=8), frozenset({"dataset", "data-source", "epochs"}),
        "Cross-entropy of the labels. Frozen after training: its penultimate-layer features "
        "define classifier-FID, its predictions the class accuracy of conditional samples.",
        pipeline_tag="image-classification", tags=("image-classification", "metric"),
        usage="""```python
from genai_demo.hub import load_model_folder

classifier = load_model_folder("path/to/NAME")
logits = classifier(images)              # images: (N, C, H, W) in [-1, 1]
features = classifier.features(images)   # what classifier-FID compares
```""",
        in_train_tab=False,
    ),
)}


def family(name: str) -> Family:
    """The family called `name`, or a clear error listing the known ones."""
    if name not in FAMILIES:
        raise InvalidInputError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}")
    return FAMILIES[name]


def trainable() -> tuple[str, ...]:
    """What `python -m genai_demo train` accepts."""
    return tuple(name for name, record in FAMILIES.items() if record.trainer)


def train_tab_families() -> tuple[Family, ...]:
    return tuple(record for record in FAMILIES.values() if record.trainer and record.in_train_tab)


def model_types(tab: str | None = None, metric: str | None = None) -> tuple[str, ...]:
    """The saved `model_type`s of the families a tab lists / an evaluation measures (no repeats)."""
    chosen = [record.model_type for record in FAMILIES.values()
              if (tab is None or record.tab == tab) and (metric is None or record.metric == metric)]
    return tuple(dict.fromkeys(chosen))


def image_generator_types() -> tuple[str, ...]:
    """Folders that generate images and so have a classifier-FID (the VAE too, beside its ELBO)."""
    return tuple(dict.fromkeys(record.model_type for record in FAMILIES.values()
                               if record.tab in (IMAGES_TAB, DIFFUSION_TAB)))


def families_with_option(option: str) -> tuple[str, ...]:
    return tuple(name for name, record in FAMILIES.items() if record.trainer and option in record.options)


def family_of_folder(model_type: str, card_tags: list[str] | tuple[str, ...] = ()) -> Family:
    """The family of a folder from its `model_type`, and its card's tags where several families
    save the same type (a tiny GPT trained here and a Hub causal LM are both transformers folders)."""
    candidates = [record for record in FAMILIES.values() if record.model_type == model_type]
    for record in candidates:
        if record.name in card_tags:
            return record
    for record in candidates:
        if record.name == model_type:
            return record
    raise InvalidInputError(f"unknown model_type {model_type!r}; known: {', '.join(model_types())}")


# ---- The 2D playground's families (training/playground.py): small MLPs on 2D points ----

ADVERSARIAL, AUTOENCODER, DIFFUSION = "adversarial", "autoencoder", "diffusion"


@dataclass(frozen=True)
class PlaygroundFamily:
    """A family of the Playground tab: how it learns (`kind`), its loss's variant, its default
    rates, and the loss curves it plots."""

    name: str
    kind: str  # ADVERSARIAL, AUTOENCODER or DIFFUSION
    learning_rate: float  # the generator's, or the only network's
    discriminator_lr: float | None = None
    n_critic: int = 1
    betas: tuple[float, float] = (0.5, 0.999)
    wasserstein: bool = False  # a critic with a gradient penalty (Gulrajani et al. 2017), not D's BCE
    spectral_norm: bool = False  # every D layer spectrally normalised (Miyato et al. 2018)
    curves: tuple[str, ...] = ()

    @property
    def adversarial(self) -> bool:
        return self.kind == ADVERSARIAL


PLAYGROUND_GAN = PlaygroundFamily("gan", ADVERSARIAL, 1e-3, 1e-3, curves=("d_loss", "g_loss"))
# Gulrajani et al. 2017's Adam betas and n_critic; a larger rate than their 1e-4 for 2D points.
PLAYGROUND_WGAN_GP = PlaygroundFamily("wgan-gp", ADVERSARIAL, 1e-3, 1e-3, n_critic=5, betas=(0.5, 0.9), wasserstein=True,
                                      curves=("wasserstein_estimate", "gradient_penalty", "g_loss"))
PLAYGROUND_SN_GAN = PlaygroundFamily("sn-gan", ADVERSARIAL, 1e-3, 1e-3, spectral_norm=True, curves=("d_loss", "g_loss"))
PLAYGROUND_VAE = PlaygroundFamily("vae", AUTOENCODER, 1e-3, betas=(0.9, 0.999), curves=("reconstruction", "kl"))
PLAYGROUND_DDPM = PlaygroundFamily("ddpm", DIFFUSION, 1e-3, betas=(0.9, 0.999), curves=("loss",))
PLAYGROUND_FAMILIES: dict[str, PlaygroundFamily] = {family.name: family for family in (
    PLAYGROUND_GAN, PLAYGROUND_WGAN_GP, PLAYGROUND_SN_GAN, PLAYGROUND_VAE, PLAYGROUND_DDPM)}


def playground_family(name: str) -> PlaygroundFamily:
    if name not in PLAYGROUND_FAMILIES:
        raise InvalidInputError(f"unknown playground family {name!r}; choose one of {', '.join(PLAYGROUND_FAMILIES)}")
    return PLAYGROUND_FAMILIES[name]
