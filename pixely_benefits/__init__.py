"""pixely: the continuity-benefits programme of Pixely, run from its control sheet."""

__version__ = "0.1.0"
