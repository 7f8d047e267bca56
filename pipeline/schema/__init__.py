"""The record's JSON Schemas, and validation against them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent
BASE_URI = "https://vanban.invalid/schema/"


@lru_cache(maxsize=1)
def record_validator() -> Draft202012Validator:
    """A validator for the record, with the extraction and quality schemas it refers to."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE_URI + path.name, Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMA_DIR / "record.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry)


def record_errors(record: dict) -> list[str]:
    """Every way a record breaks the schema, as 'path: message' lines (empty when valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in record_validator().iter_errors(record)
    ]
