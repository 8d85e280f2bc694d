"""Fixtures shared by the test files (plain helpers live in lint_helpers.py and k8s_fake_api.py)."""
import pytest


@pytest.fixture
def fleet(tmp_path):
    """Fake Kubernetes API servers, one per kubeconfig context (k8s_fake_api.Fleet), stopped after the test."""
    from k8s_fake_api import Fleet

    f = Fleet(tmp_path)
    yield f
    f.close()
