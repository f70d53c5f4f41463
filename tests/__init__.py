"""shopsync test suite (a package so test modules can share helpers by import)."""
