"""Readers of the public file formats (edition.toml, cities.csv, data.csv, weights and expert
files) and writers of results."""
