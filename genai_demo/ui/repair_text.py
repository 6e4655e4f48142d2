"""The Repair tab's explanations, apart so that the translations can import them (the tab imports the translations)."""

INTRO = """Damage a held-out image (or your own: upload or draw it in the editor) and let a model
repair it, with no new training: the model is the prior. Paint over what is to be filled in, or pick a damage."""
HELP = """**Diffusion** models repair with DDNM (null-space projection, Wang et al. 2023) or
RePaint (Lugmayr et al. 2022) for holes, DDNM or ILVR (Choi et al. 2021) for up-scaling, denoising
from the noise level the image has, and SDEdit (Meng et al. 2022) for sketches; a **VAE or GAN** by
latent inversion (optimising its latent until its image matches what is known). The plain baseline
(fill / bicubic / blur) sits beside them.

Measured on 500 held-out digits with `ddpm-mnist` (`python -m genai_demo eval-repair checkpoints/ddpm-mnist`,
50 steps, 2-core CPU; the classifier reads the repair as the original's class):
lower half hidden: DDNM 75.6%, RePaint 72.2%, fill 60.8% · centre box: RePaint 64.6%, DDNM 63.2%, fill 39.4% ·
×4 up-scale: DDNM 93.0% and 17.3 dB (bicubic 77.4%, 14.5 dB; ILVR 84.4%) · ×2: DDNM 99.6%, 27.0 dB
(bicubic 20.6 dB) · noise σ 0.5: 98.6%, 25.2 dB (blur 17.9 dB). One DDNM repair takes 0.2 s, RePaint 0.9 s.
A hidden lower half or centre box is often truly ambiguous (a 7 or a 9?): several seeds show the choices."""
