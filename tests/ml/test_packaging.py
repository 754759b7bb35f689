from __future__ import annotations

import gzip
import io
import shutil
import tarfile
from pathlib import Path

from ml.packaging import (
    FIXED_MTIME,
    SOURCEDIR_ARCHIVE,
    TRAINING_SOURCES,
    build_code_package,
    reproducible_tar_gz,
)


def test_archive_bytes_depend_only_on_names_and_contents() -> None:
    first = reproducible_tar_gz({"b.py": b"2", "a.py": b"1"})
    second = reproducible_tar_gz({"a.py": b"1", "b.py": b"2"})
    assert first == second
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip header MTIME field
    with tarfile.open(fileobj=io.BytesIO(first)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["a.py", "b.py"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members} == {
        (FIXED_MTIME, 0, 0, "", "", 0o644)
    }
    assert gzip.decompress(first)


def test_training_archive_holds_the_training_and_serving_code() -> None:
    package = build_code_package("bucket")
    [sourcedir] = [o for o in package.objects if o.key.endswith(SOURCEDIR_ARCHIVE)]
    with tarfile.open(fileobj=io.BytesIO(sourcedir.content)) as tar:
        assert sorted(tar.getnames()) == sorted(TRAINING_SOURCES)
    assert package.uris.training_sourcedir == f"s3://bucket/{sourcedir.key}"


def test_keys_change_with_content_and_only_with_content(tmp_path: Path) -> None:
    steps = tmp_path / "steps"
    shutil.copytree(Path(__file__).resolve().parents[2] / "ml" / "steps", steps)
    before = build_code_package("bucket", steps)
    assert build_code_package("bucket", steps) == before
    (steps / "evaluate.py").write_text((steps / "evaluate.py").read_text() + "\n# changed\n")
    after = build_code_package("bucket", steps)
    assert after.uris.evaluate_script != before.uris.evaluate_script
    assert after.uris.preprocess_script == before.uris.preprocess_script
    assert after.uris.training_sourcedir == before.uris.training_sourcedir
    (steps / "abalone.py").write_text((steps / "abalone.py").read_text() + "\n# changed\n")
    changed = build_code_package("bucket", steps)
    assert changed.uris.shared_prefix != after.uris.shared_prefix
    assert changed.uris.training_sourcedir != after.uris.training_sourcedir


def test_each_code_object_sits_alone_under_its_hashed_folder() -> None:
    package = build_code_package("bucket")
    folders = [o.key.split("/")[1] for o in package.objects if "/shared/" not in o.key]
    assert len(folders) == len(set(folders)) == 3
