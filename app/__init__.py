"""budgetqa service: retrieval, answering, checking, UI and CLI."""
