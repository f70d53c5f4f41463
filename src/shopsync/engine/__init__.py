"""The two-way sync engine: change detection, 3-way merge, crash-safe writes."""
