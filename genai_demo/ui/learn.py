"""The Learn tab: what each family optimises, and how to read its loss curves."""

from __future__ import annotations

import gradio as gr

LATEX_DELIMITERS = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]

GAN_TEXT = r"""
### GANs: a two-player game (Goodfellow et al. 2014)

A generator $G$ maps noise $z \sim p_z = \mathcal{N}(0, I)$ to images; a discriminator $D$ outputs
the probability that an image is real. They play the minimax game with value function

$$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))].$$

For a fixed $G$ the best discriminator is $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$, and
then $V(D^*, G) = -\log 4 + 2\,\mathrm{JS}(p_\text{data} \,\|\, p_g)$: the generator minimises a
Jensen–Shannon divergence.

**Non-saturating loss** (what this app trains with). Early on $D$ rejects fakes easily, and
$\log(1 - D(G(z)))$ is flat there, so $G$ gets almost no gradient. Instead $G$ maximises $\log D(G(z))$:

$$\mathcal{L}_D = -\log D(x) - \log(1 - D(G(z))), \qquad \mathcal{L}_G = -\log D(G(z)).$$

**DCGAN** (Radford et al. 2016) makes both networks convolutional, with batch norm, ReLU in $G$,
LeakyReLU(0.2) in $D$, and Adam(lr $2\cdot10^{-4}$, $\beta_1 = 0.5$). The **MLP GAN** uses
fully connected layers (100 → 256 → 512 → 1024 → 784).

**Reading the curves.** GAN losses do not fall to zero: they measure one player against the other.
At equilibrium $D(x) = \tfrac12$, so $\mathcal{L}_D \approx 2\ln 2 \approx 1.39$ and
$\mathcal{L}_G \approx \ln 2 \approx 0.69$. A `d_loss` that sinks towards 0 while `g_loss` climbs means
the discriminator wins and the generator's gradients fade; both curves flat while the sample
grid stops changing, or shows one digit everywhere, is mode collapse. Judge quality from the
fixed-noise grids and from classifier-FID (`python -m genai_demo eval`), not from the losses.

**Uneven digits, and self-conditioning.** A subtler failure than collapse: $G$ maps one Gaussian
onto ten separate digit manifolds, and how much of the Gaussian each digit gets is hard to move
once set, since a sample can only drift to a neighbouring digit through images $D$ rejects. Here an
unconditional DCGAN drew 1s and 4s at a third of their rate or less; sampling real digits in those
proportions already costs about 55 classifier-FID points. The shipped DCGAN is
**self-conditioned** (Liu et al. 2020): the training images are split into $k$ k-means clusters,
$G(z, c)$ and $D(x, c)$ both see a cluster id $c$, and sampling draws $c$ in proportion to the
cluster sizes, so each cluster, and so each digit, gets its share. No labels are used.
"""

WGAN_TEXT = r"""
### Wasserstein GAN with gradient penalty (Arjovsky et al. 2017; Gulrajani et al. 2017)

The critic $f$ has no sigmoid; it estimates the Earth-Mover distance
$W(p_\text{data}, p_g) = \sup_{\|f\|_L \le 1} \mathbb{E}_{x \sim p_\text{data}}[f(x)] - \mathbb{E}_{\tilde x \sim p_g}[f(\tilde x)]$.
The 1-Lipschitz constraint is enforced softly with a penalty on random interpolates
$\hat x = \epsilon x + (1 - \epsilon)\tilde x$, $\epsilon \sim U[0, 1]$:

$$\mathcal{L}_\text{critic} = \mathbb{E}[f(\tilde x)] - \mathbb{E}[f(x)] + \lambda\, \mathbb{E}_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big], \qquad \mathcal{L}_G = -\mathbb{E}[f(G(z))],$$

with $\lambda = 10$, five critic steps per generator step, and Adam(lr $10^{-4}$, $\beta = (0, 0.9)$).

**Reading the curves.** Unlike the GAN losses, $-\mathcal{L}_\text{critic}$ (without the penalty) is
an estimate of the distance between real and generated images: it should fall as samples improve.
"""

STYLEGAN_TEXT = r"""
### Style-based GANs: a mapping network, styles per layer, mixing and truncation (Karras et al. 2019, 2020)

A DCGAN feeds $z$ in at the first layer only. **StyleGAN** first maps $z$ through a small fully
connected **mapping network** to an intermediate latent $w = f(z)$, which need not follow the
Gaussian's shape, so its directions can line up with what varies in the data. The image grows from a
**learned constant** (7×7 here), and every convolution takes a **style** $s = A_i w$, an affine map of $w$
of its own. In StyleGAN2 the style **modulates** the convolution's weights and **demodulates** them, so each
output channel has unit expected norm:

$$w'_{ijk} = s_i \cdot w_{ijk}, \qquad w''_{ijk} = w'_{ijk} \Big/ \sqrt{\textstyle\sum_{i,k} {w'_{ijk}}^2 + \epsilon}.$$

Each layer also adds **per-pixel noise** with a learned strength: the random detail (where a stroke
frays) that need not come from $w$. Switch it off in the Images tab to see what it adds.

**Style mixing.** Because each layer has its own copy of $w$, two latents can share the work: the layers
before a **crossover** take $w_1$ (coarse: the shape, which digit or garment), the rest $w_2$ (fine: stroke
width, texture). Training mixes 90% of its fakes this way at a random layer (mixing regularisation), so no
layer can count on its neighbour having the same style. The Images tab's mixing grid shows it: each
row keeps its seed's coarse styles, each column its seed's fine ones.

**Truncation.** Rare $w$ far from the average $\bar w$ make the worst images. Sampling
$w' = \bar w + \psi\,(w - \bar w)$ with $\psi < 1$ trades variety for fidelity; $\psi = 0$ gives the average
image. $\bar w$ is measured on 10,000 latents and stored in the folder. The shipped models are
self-conditioned on 50 k-means clusters of the training images (as the DCGAN above), and pull each $w$
towards its own cluster's average, so truncation keeps every digit or garment type; their output goes
through tanh (a linear output, the paper's, collapsed here on MNIST's exactly black background).

**Training.** The non-saturating loss with an **R1 penalty** on real images,
$\frac{\gamma}{2}\,\mathbb{E}_x \|\nabla_x D(x)\|^2$ (Mescheder et al. 2018), computed every 16 steps with a 16
times larger weight (lazy regularisation); Adam with $\beta = (0, 0.99)$ and lr $2\cdot10^{-3}$, the mapping
network's 100 times smaller; an exponential moving average of the generator is what is saved.

**Reading the curves.** As for any GAN (above): `d_loss` near 1.39 and `g_loss` near 0.69 at balance.
`r1_penalty` is the squared gradient norm on real images: a rising one means $D$ is growing steep around the
training images, the start of overfitting. Judge quality by classifier-FID and the grids.
"""

VAE_TEXT = r"""
### Variational autoencoders (Kingma & Welling 2014)

An encoder $q_\phi(z \mid x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag} \sigma^2_\phi(x))$ and a decoder
$p_\theta(x \mid z)$ are trained together by maximising the evidence lower bound

$$\log p_\theta(x) \ge \mathrm{ELBO} = \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] - \mathrm{KL}\big(q_\phi(z \mid x) \,\|\, \mathcal{N}(0, I)\big),$$

where for a diagonal Gaussian the KL term has the closed form
$\tfrac12 \sum_j \big(\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1\big)$.

**Reparameterisation trick.** Sampling $z$ is not differentiable, so write
$z = \mu_\phi(x) + \sigma_\phi(x) \odot \epsilon$ with $\epsilon \sim \mathcal{N}(0, I)$: the randomness moves
into $\epsilon$ and gradients flow through $\mu$ and $\sigma$. A $\beta$ weight on the KL term
($\beta$-VAE) trades sharper reconstructions ($\beta < 1$) for a smoother latent space ($\beta > 1$).

**Reading the curves.** The negative ELBO (in nats per image) is a real bound on the data's
negative log-likelihood: lower is better, and a validation curve that rises while training keeps
falling is overfitting. The KL term near zero for every dimension is "posterior collapse".
"""

DIFFUSION_TEXT = r"""
### Denoising diffusion (Ho et al. 2020; Song et al. 2021)

**Forward process.** Noise is added in $T = 1000$ small steps with variances $\beta_1, \dots, \beta_T$
(here $10^{-4}$ to $0.02$). With $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s \le t} \alpha_s$,
any step can be reached in one jump:

$$q(x_t \mid x_0) = \mathcal{N}\big(x_t;\ \sqrt{\bar\alpha_t}\, x_0,\ (1 - \bar\alpha_t) I\big), \qquad x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon.$$

**Simplified loss.** A UNet $\epsilon_\theta(x_t, t)$ learns to predict the noise that was added:

$$\mathcal{L}_\text{simple} = \mathbb{E}_{t \sim U\{1..T\},\, x_0,\, \epsilon \sim \mathcal{N}(0, I)} \big\| \epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon,\ t) \big\|^2 .$$

It is a reweighted ELBO. Sampling runs the learned reverse process from pure noise $x_T$, one
denoising step at a time; the model's guess of the final image at step $t$ is
$\hat x_0 = (x_t - \sqrt{1 - \bar\alpha_t}\, \epsilon_\theta) / \sqrt{\bar\alpha_t}$.

**Why DDIM needs fewer steps.** DDPM's reverse process is a Markov chain that adds fresh noise
at each of its $T$ steps. DDIM uses the same trained network but a non-Markovian process with the
same marginals $q(x_t \mid x_0)$; with $\eta = 0$ it is deterministic, an ODE-like path that can
jump along a subsequence of 20–50 timesteps with little loss in quality. DPM-Solver++ solves that
ODE with a higher-order method and needs fewer steps still. A deterministic sampler also makes
the starting noise a true latent code: the same seed gives the same image.

**Reading the curves.** The loss is a noise-prediction MSE averaged over random timesteps, so it
is noisy and falls slowly after the first few hundred steps (around 0.03–0.05 on MNIST); samples
keep improving after the loss looks flat. Judge them by the grids (made with the EMA weights)
and by classifier-FID.
"""

PLAYGROUND_LEARN_TEXT = r"""
### Measuring a generator in 2D: coverage, quality, distance (the Playground tab)

On a mixture of Gaussians with known centres $\mu_1, \dots, \mu_M$ and spread $\sigma$, two numbers separate the
failures that images hide (Srivastava et al. 2017, VEEGAN). A mode is **covered** when at least 1% of the samples
fall within $3\sigma$ of it; the **high-quality share** is the fraction of samples within $3\sigma$ of any
centre (real points score $1 - e^{-9/2} = 98.9\%$). **Mode collapse** is few modes covered with a high share
(sharp samples, too few kinds); **blur** is every mode covered with a low share (samples between modes). The
**sliced Wasserstein distance** needs no centres: project both point sets on $K$ directions $\theta_k$ and average
the 1D distances, $\mathrm{SW}(p, q) = \frac{1}{K}\sum_k W_1(\theta_k^\top p, \theta_k^\top q)$, where a 1D $W_1$ is
the mean gap between the sorted projections (Rabin et al. 2011). How to read the curves: a GAN's modes-covered
curve can fall while its high-quality curve rises (collapse); a VAE's coverage is full while its share stays
low; the distance falls as both improve.
"""


TEXT_TEXT = r"""
### Language models: LSTM and GPT (Hochreiter & Schmidhuber 1997; Radford et al. 2019)

Both predict the next token from the ones before it and are trained with the **next-token
cross-entropy** $\mathcal{L} = -\frac{1}{T}\sum_{t} \log p_\theta(x_{t+1} \mid x_{\le t})$. Divided by
$\ln 2$ and by the number of characters, it is **bits per character**, which compares models with
different tokenizers (a character bigram model is the baseline to beat).

**LSTM cell.** With input $x_t$, previous hidden state $h_{t-1}$ and cell state $c_{t-1}$:

$$\begin{aligned}
i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) && \text{input gate} \\
f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) && \text{forget gate} \\
o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) && \text{output gate} \\
\tilde c_t &= \tanh(W_c x_t + U_c h_{t-1} + b_c) && \text{candidate} \\
c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad h_t = o_t \odot \tanh(c_t).
\end{aligned}$$

The additive cell update lets gradients flow across many steps; training backpropagates through
windows of the text (truncated BPTT). **GPT** replaces recurrence by causal self-attention: every
position attends to all earlier ones in parallel, over BPE tokens of several characters each.

**Reading the curves.** The training loss (nats per token) falls fast, then slowly; watch the
validation bits per character: when it rises while training loss keeps falling, the model is
memorising the corpus. Sampling temperature below 1 makes text safer and more repetitive,
above 1 more varied and more often wrong.
"""


def build_learn_tab() -> None:
    """Static explanations, rendered with LaTeX."""
    for text in (GAN_TEXT, WGAN_TEXT, STYLEGAN_TEXT, VAE_TEXT, DIFFUSION_TEXT, TEXT_TEXT, PLAYGROUND_LEARN_TEXT):
        gr.Markdown(text, latex_delimiters=LATEX_DELIMITERS)
