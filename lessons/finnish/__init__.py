"""Finnish text: normalisation, syllables and sound length, minimal pairs, spelling."""
