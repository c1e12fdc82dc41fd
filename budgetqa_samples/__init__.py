"""Sample disclosures shipped with budgetqa (for --demo and the README)."""
