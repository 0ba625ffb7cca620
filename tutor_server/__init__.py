"""Sanapaja's lesson server: the command line now; the Flask app and its API build on it."""
