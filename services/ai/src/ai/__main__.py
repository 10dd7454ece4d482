"""`python -m ai`: run the ai service alone on its own port."""

from schediora_runtime.serve import serve

from ai.settings import Settings

if __name__ == "__main__":
    serve("ai.main:create_app", Settings())
