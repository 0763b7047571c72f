import os
import stat

import pytest

from sklearn_synth.utils._io import atomic_path


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_files_get_the_mode_of_a_plain_write(tmp_path, umask_022):
    with atomic_path(tmp_path / "a.txt") as tmp:
        tmp.write_text("x")
    with open(tmp_path / "plain.txt", "w") as handle:
        handle.write("x")
    assert _mode(tmp_path / "a.txt") == _mode(tmp_path / "plain.txt") == 0o644


def test_an_existing_file_keeps_its_mode(tmp_path, umask_022):
    target = tmp_path / "private.txt"
    target.write_text("old")
    target.chmod(0o600)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and _mode(target) == 0o600


def test_a_saved_model_is_readable_by_others_under_umask_022(tmp_path, umask_022):
    from sklearn.datasets import load_iris

    from sklearn_synth.generators import DummySynthesizer

    path = DummySynthesizer(random_state=0).fit(load_iris().data).save(tmp_path / "m.safetensors")
    assert _mode(path) == 0o644
