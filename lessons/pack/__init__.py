"""Lesson packs: the model, the YAML source, loading, validation and reports."""
