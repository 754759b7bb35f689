"""Code archives for the pipeline, with S3 keys derived from their content.

A code change gives new keys (a visible diff in the definition and in the uploads) and an
unchanged tree gives byte-identical archives, so previews stay quiet when nothing changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ml.contract import S3Layout

STEPS_DIR = Path(__file__).resolve().parent / "steps"
PREPROCESS_SCRIPT = "preprocess.py"
EVALUATE_SCRIPT = "evaluate.py"
SHARED_MODULES = ("abalone.py",)
TRAINING_SOURCES = ("train.py", "inference.py", "abalone.py")
# SageMaker's code channel delivers the object under its own name; the hash goes in the folder.
SOURCEDIR_ARCHIVE = "sourcedir.tar.gz"
# 1980-01-01: the earliest time every archive tool handles; any fixed value keeps bytes stable.
FIXED_MTIME = 315_532_800
DIGEST_LENGTH = 16


@dataclass(frozen=True)
class CodeObject:
    key: str
    content: bytes


@dataclass(frozen=True)
class CodeUris:
    """What the definition refers to."""

    preprocess_script: str
    evaluate_script: str
    shared_prefix: str
    training_sourcedir: str


@dataclass(frozen=True)
class CodePackage:
    objects: tuple[CodeObject, ...]
    uris: CodeUris


def digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()[:DIGEST_LENGTH]


def reproducible_tar_gz(files: dict[str, bytes]) -> bytes:
    """A tar.gz whose bytes depend only on the names and contents given."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    compressed = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of the file name and the clock.
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0) as stream:
        stream.write(raw.getvalue())
    return compressed.getvalue()


def build_code_package(bucket: str, steps_dir: Path = STEPS_DIR) -> CodePackage:
    layout = S3Layout(bucket)

    def read(name: str) -> bytes:
        return (steps_dir / name).read_bytes()

    def single(name: str) -> CodeObject:
        content = read(name)
        return CodeObject(layout.code_key(digest(content), name), content)

    preprocess, evaluate = single(PREPROCESS_SCRIPT), single(EVALUATE_SCRIPT)
    shared_contents = {name: read(name) for name in SHARED_MODULES}
    shared_digest = digest(*(n.encode() + c for n, c in sorted(shared_contents.items())))
    shared = [
        CodeObject(layout.code_key(shared_digest, f"shared/{name}"), content)
        for name, content in sorted(shared_contents.items())
    ]
    archive = reproducible_tar_gz({name: read(name) for name in TRAINING_SOURCES})
    sourcedir = CodeObject(layout.code_key(digest(archive), SOURCEDIR_ARCHIVE), archive)
    uris = CodeUris(
        preprocess_script=layout.uri(preprocess.key),
        evaluate_script=layout.uri(evaluate.key),
        shared_prefix=layout.uri(layout.code_key(shared_digest, "shared/")),
        training_sourcedir=layout.uri(sourcedir.key),
    )
    return CodePackage((preprocess, evaluate, *shared, sourcedir), uris)
