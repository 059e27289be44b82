"""Local Sphinx extensions of the FAQ site."""
