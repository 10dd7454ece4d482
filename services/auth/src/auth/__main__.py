"""`python -m auth`: run the auth service alone on its own port."""

from auth.settings import Settings
from schediora_runtime.serve import serve

if __name__ == "__main__":
    serve("auth.main:create_app", Settings())
