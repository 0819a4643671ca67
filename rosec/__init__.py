"""rosec: the compiler for RoSe (Robust Services)."""

__version__ = "0.1.0"
