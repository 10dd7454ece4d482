"""`python -m planner`: run the planner service alone on its own port."""

from planner.settings import Settings
from schediora_runtime.serve import serve

if __name__ == "__main__":
    serve("planner.main:create_app", Settings())
