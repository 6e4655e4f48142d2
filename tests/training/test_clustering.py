import pytest
import torch

from genai_demo.training.clustering import kmeans


def test_kmeans_finds_separated_groups_and_their_shares():
    generator = torch.Generator().manual_seed(0)
    true_centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    sizes = [50, 30, 20]
    points = torch.cat([centre + 0.5 * torch.randn(size, 2, generator=generator)
                        for centre, size in zip(true_centres, sizes)])
    centres, shares = kmeans(points, 3, seed=1)
    order = torch.cdist(true_centres, centres).argmin(1)  # each true group's found centre
    assert sorted(order.tolist()) == [0, 1, 2]
    assert torch.allclose(centres[order], true_centres, atol=0.3)
    assert torch.allclose(shares[order], torch.tensor([0.5, 0.3, 0.2]))
    again, _ = kmeans(points, 3, seed=1)
    assert torch.equal(again, centres)  # a seed makes it deterministic


@pytest.mark.parametrize("clusters", [1, 11])
def test_kmeans_refuses_impossible_cluster_counts(clusters):
    with pytest.raises(ValueError, match="k-means needs 2 to 10 clusters"):
        kmeans(torch.randn(10, 3), clusters, seed=0)
