"""Model families: pure torch modules and their config dataclasses, nothing about training."""

from genai_demo.models.char_lstm import CharLSTM, CharLSTMConfig
from genai_demo.models.classifier import ClassifierConfig, ImageClassifier
from genai_demo.models.gan import (
    DCGAN,
    MLPGAN,
    WGANGP,
    ConditionalDCGAN,
    ConditionalDCGANConfig,
    DCGANConfig,
    GANPair,
    MLPGANConfig,
    WGANGPConfig,
)
from genai_demo.models.stylegan import StyleGAN, StyleGANConfig
from genai_demo.models.vae import VAE, VAEConfig

# GAN_CLASSES: the non-saturating-loss GANs (WGAN-GP has its own trainer and loss).
# model_type (as written in a folder's config.json) -> the class that rebuilds it
MODEL_CLASSES = {model_class.model_type: model_class for model_class in (DCGAN, MLPGAN, ConditionalDCGAN, WGANGP, StyleGAN, VAE, ImageClassifier, CharLSTM)}
# Families whose folders generate images from latents (the Images tab lists these).
GAN_CLASSES = {model_class.model_type: model_class for model_class in (DCGAN, MLPGAN, ConditionalDCGAN)}
# Everything with sample_latents() and generate(): GANs and the VAE's decoder.
IMAGE_GENERATOR_CLASSES = {**GAN_CLASSES, WGANGP.model_type: WGANGP, StyleGAN.model_type: StyleGAN, VAE.model_type: VAE}

__all__ = [
    "CharLSTM",
    "CharLSTMConfig",
    "DCGAN",
    "GAN_CLASSES",
    "IMAGE_GENERATOR_CLASSES",
    "MLPGAN",
    "MODEL_CLASSES",
    "ClassifierConfig",
    "ConditionalDCGAN",
    "ConditionalDCGANConfig",
    "DCGANConfig",
    "GANPair",
    "ImageClassifier",
    "MLPGANConfig",
    "StyleGAN",
    "StyleGANConfig",
    "VAE",
    "VAEConfig",
    "WGANGP",
    "WGANGPConfig",
]
