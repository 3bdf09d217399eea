"""Convolutional networks: build one from a form, train it, and look at its filters and maps."""
