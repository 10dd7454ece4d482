"""`python -m ai`: run the ai service alone on its own port."""

from ai.settings import Settings
from schediora_runtime.serve import serve

if __name__ == "__main__":
    serve("ai.main:create_app", Settings())
