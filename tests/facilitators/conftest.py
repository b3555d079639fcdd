"""facilitators' fixtures: private storage in tmp_path for evidence files."""

import pytest

from tests.factories import point_private_storage_at


@pytest.fixture(autouse=True)
def private_storage(tmp_path, settings):
    return point_private_storage_at(tmp_path / "private", settings=settings)
