"""The Repair tab's explanations, apart so that the translations can import them (the tab imports the translations)."""

INTRO = """Damage a held-out image (or your own: upload or draw it in the editor) and let a model
repair it, with no new training: the model is the prior. Paint over what is to be filled in, or pick a damage."""
HELP = """**Diffusion** models repair with DDNM (null-space projection, Wang et al. 2023) or
RePaint (Lugmayr et al. 2022) for holes, DDNM or ILVR (Choi et al. 2021) for up-scaling, denoising
from the noise level the image has, and SDEdit (Meng et al. 2022) for sketches; a **VAE or GAN** by
latent inversion (optimising its latent until its image matches what is known). The plain baseline
(fill / bicubic / blur) sits beside them.

Measured on 500 held-out digits (`python -m genai_demo eval-repair checkpoints/ddpm-mnist`, and the same for
`vae-mnist` and `dcgan-mnist`; 50 diffusion steps, 2-core CPU). Label agreement: the frozen classifier reads the repair as it
reads the original; PSNR on the damaged pixels.

| damage | best here | the others | plain baseline |
|---|---|---|---|
| lower half hidden | VAE inversion 83.0% | DDNM 76.0%, RePaint 74.8%, DCGAN inversion 74.2% | fill 60.8% |
| centre box hidden | VAE inversion 75.2% | DCGAN inversion 67.4%, RePaint 65.0%, DDNM 64.6% | fill 39.4% |
| down-sampled ×4 | VAE inversion 94.4%, 18.1 dB | DDNM 93.6%, 17.5 dB; DCGAN inversion 90.4%, 16.3 dB; ILVR 83.6%, 15.4 dB | bicubic 77.4%, 14.5 dB |
| down-sampled ×2 | DDNM 99.6%, 27.4 dB | ILVR 99.8%, 26.1 dB; DCGAN inversion 98.6%, 24.1 dB; VAE inversion 97.6%, 21.6 dB | bicubic 98.2%, 20.6 dB |
| noise σ 0.5 | diffusion 98.6%, 25.4 dB | DCGAN inversion 98.2%, 22.0 dB; VAE inversion 98.2%, 20.6 dB | blur 96.4%, 17.9 dB |

One repair takes 0.1 s with DDNM, 0.4 s with RePaint (each in a batch of 20), 0.2 s with VAE inversion, 0.7 s with DCGAN inversion. A hidden lower half or
centre box is often truly ambiguous (a 7 or a 9?): several seeds show the choices."""
