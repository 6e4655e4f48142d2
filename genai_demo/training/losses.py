"""The adversarial losses, one function each, shared by the image trainers and the 2D playground."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """D maximises log D(x) + log(1 - D(G(z))) (Goodfellow et al. 2014, eq. 1), as a BCE on logits."""
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def non_saturating_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """G maximises log D(G(z)) rather than minimising log(1 - D(G(z))) (Goodfellow et al. 2014,
    section 3): the same fixed point, but strong gradients while D still rejects the fakes."""
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def gradient_penalty(critic: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor, mixing: torch.Tensor) -> torch.Tensor:
    """E[(||grad_x f(x_hat)||_2 - 1)^2] at x_hat = eps * real + (1 - eps) * fake, eps ~ U[0, 1] per
    sample (Gulrajani et al. 2017, algorithm 1); `real`, `fake`: (N, ...) of any shape."""
    eps = mixing.view(-1, *([1] * (real.dim() - 1)))
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return (gradients.flatten(1).norm(2, dim=1) - 1).square().mean()
