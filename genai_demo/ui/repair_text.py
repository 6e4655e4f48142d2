"""The Repair tab's explanations, apart so that the translations can import them (the tab imports the translations)."""

INTRO = """Damage a held-out image (or your own: upload or draw it in the editor) and let a model
repair it, with no new training: the model is the prior. Paint over what is to be filled in, or pick a damage."""
HELP = """**Diffusion** models repair with DDNM (null-space projection, Wang et al. 2023) or
RePaint (Lugmayr et al. 2022) for holes, DDNM or ILVR (Choi et al. 2021) for up-scaling, denoising
from the noise level the image has, and SDEdit (Meng et al. 2022) for sketches; a **VAE or GAN** by
latent inversion (optimising its latent until its image matches what is known). The plain baseline
(fill / bicubic / blur) sits beside them. **Candidates per repair** K: each image is repaired K times
in one batch and the one most like the others is kept (their medoid, a minimum-Bayes-risk choice).
A single repair of an ambiguous digit (a 7 or a 9?) is the likelier reading only as often as chance
makes it; the medoid lies where the repairs crowd.

Measured on 500 held-out digits (`python -m genai_demo eval-repair checkpoints/ddpm-mnist`, with
`--candidates 16` for the consensus rows, and the same for `vae-mnist` and `dcgan-mnist`; 50 diffusion
steps, 2-core CPU). Label agreement: the frozen classifier reads the repair as it reads the original;
PSNR on the damaged pixels. Last column: a classifier trained on the damaged digits themselves
(`python bench/repair_ceiling.py`), an estimate of how far any repair can go, from below (the x4
consensus beats it). Trained on a quarter or a half of the 4,500 training digits instead (`--train-images
1125 --epochs 120`, `2250 --epochs 60`), its centre-box figure is 81.4% and 83.2%: more data barely moves it.

| damage | best here | the others | plain baseline | trained on the damage |
|---|---|---|---|---|
| lower half hidden | DDNM, 16 candidates 84.6% (32 candidates: 84.4%) | VAE inversion 83.0%, DDNM 76.0%, RePaint 74.8%, DCGAN inversion 74.2% | fill 60.8% | 90.2% |
| centre box hidden | DDNM, 16 candidates 79.8% | VAE inversion 75.2%, DCGAN inversion 67.4%, RePaint 65.0%, DDNM 64.6% | fill 39.4% | 83.2% |
| down-sampled ×4 | DDNM, 16 candidates 95.8%, 19.4 dB | VAE inversion 94.4%, 18.1 dB; DDNM 93.6%, 17.5 dB; DCGAN inversion 90.4%, 16.3 dB; ILVR 83.6%, 15.4 dB | bicubic 77.4%, 14.5 dB | 94.4% |
| down-sampled ×2 | DDNM 99.6%, 27.4 dB | ILVR 99.8%, 26.1 dB; DCGAN inversion 98.6%, 24.1 dB; VAE inversion 97.6%, 21.6 dB | bicubic 98.2%, 20.6 dB | |
| noise σ 0.5 | diffusion 98.6%, 25.4 dB | DCGAN inversion 98.2%, 22.0 dB; VAE inversion 98.2%, 20.6 dB | blur 96.4%, 17.9 dB | |

One repair takes 0.1 s with DDNM, 0.4 s with RePaint (each in a batch of 20), 0.2 s with VAE inversion, 0.7 s with DCGAN
inversion; DDNM with 16 candidates 1.5 s for one digit. A hidden lower half or centre box is often truly ambiguous:
several seeds show the choices."""
