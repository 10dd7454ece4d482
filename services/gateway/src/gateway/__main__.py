"""`python -m gateway`: run the gateway on its own port."""

from gateway.settings import Settings
from schediora_runtime.serve import serve

if __name__ == "__main__":
    serve("gateway.main:create_app", Settings())
