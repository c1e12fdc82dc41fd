"""Evaluation: run labeled question sets (eval/*.jsonl) and stress the checker with perturbed answers."""
