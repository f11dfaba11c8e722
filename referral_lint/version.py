"""The package's version, in a module of its own so that the engine can read it without
importing the package's public API (which imports the linter)."""

__version__ = "0.1.0"
