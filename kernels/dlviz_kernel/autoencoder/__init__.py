"""Autoencoders: squeeze images through a small latent space and draw them back; AE, VAE, PCA."""
