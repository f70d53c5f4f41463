"""Stand-ins for the outside systems (Tripletex, the reference webshop) for tests, benchmarks, demo."""
