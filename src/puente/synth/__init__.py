"""The synthetic binational world: agency feeds with ground truth."""
