"""The micro-lesson engine: steps, the step plan and the serialisable session."""
