"""Citation tooling for the co-responder FAQ: bibliography checks and Sphinx extensions."""
