"""`python -m auth`: run the auth service alone on its own port."""

from schediora_runtime.serve import serve

from auth.settings import Settings

if __name__ == "__main__":
    serve("auth.main:create_app", Settings())
