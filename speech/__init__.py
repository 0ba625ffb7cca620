"""Sanapaja speech: Finnish text to speech, audio checks and pronunciation scoring, offline."""
