"""rederive: re-derive inspection ratings from the evidence in a published report."""

__version__ = "0.1.0"
