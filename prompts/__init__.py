"""Prompt templates as files, loaded and checked at start-up (see app/prompts.py)."""
