"""Sanapaja lessons: the domain (packs, Finnish text, lesson engine, scheduling)."""
