"""Conformance tests: simulator answers and client requests validated against the official Tripletex spec."""
