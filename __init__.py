"""budgetqa: verified answers and datasets from Chinese budget and final-account disclosures."""

__version__ = "0.1.0"
