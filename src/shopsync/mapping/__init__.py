"""Declarative property mappings between webshop and Tripletex records."""
