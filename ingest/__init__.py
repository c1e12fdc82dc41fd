"""Parsing budget documents into tables, facts and an index."""
