import pytest

from circuits.specs import VQEConfig
from circuits.vqe import build_vqe


@pytest.fixture(scope="session")
def vqe():
    """build_vqe(VQEConfig(**params)), cached: building transpiles and creates devices."""
    cache = {}

    def build(**params):
        key = tuple(sorted(params.items()))
        if key not in cache:
            cache[key] = build_vqe(VQEConfig(**params))
        return cache[key]

    return build
