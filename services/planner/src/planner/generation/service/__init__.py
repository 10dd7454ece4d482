"""The use cases of AI jobs, one module each (see the package's docstring)."""
