import pytest

from gehoord.policies.tests.support import make_company


@pytest.fixture
def company(db):
    """`company("welzo")`: a staffed organisation on that preset (see support.py)."""
    return make_company
