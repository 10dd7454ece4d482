"""`python -m planner`: run the planner service alone on its own port."""

from schediora_runtime.serve import serve

from planner.settings import Settings

if __name__ == "__main__":
    serve("planner.main:create_app", Settings())
