"""The style-mixing grid's explanation, apart so that the translations can import it (the tab imports the translations)."""

MIXING_HELP = """Each cell takes the **coarse** styles (the layers before the crossover: the digit's or
garment's shape) from its **row** seed and the **fine** styles (the layers from the crossover on: stroke
and texture detail) from its **column** seed; the seeds' own images are along the top and down the left.
A crossover of 0 gives every cell its column's image; the largest, its row's."""
