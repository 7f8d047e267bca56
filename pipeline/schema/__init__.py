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
def _registry() -> Registry:
    """The record's schema and the extraction and quality schemas it refers to."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE_URI + path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=1)
def record_validator() -> Draft202012Validator:
    return Draft202012Validator({"$ref": BASE_URI + "record.schema.json"}, registry=_registry())


@lru_cache(maxsize=1)
def page_validator() -> Draft202012Validator:
    """A validator for one element of the record's ``pages`` (a record is checked page by page when it is
    written as a stream)."""
    return Draft202012Validator({"$ref": BASE_URI + "record.schema.json#/$defs/page"}, registry=_registry())


@lru_cache(maxsize=1)
def extraction_validator() -> Draft202012Validator:
    """A validator for what ``pipeline.extract.extract`` returns (the extract stage checks its own output)."""
    return Draft202012Validator({"$ref": BASE_URI + "extraction.schema.json"}, registry=_registry())


def _messages(validator: Draft202012Validator, value: dict) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(value)
    ]


def record_errors(record: dict) -> list[str]:
    """Every way a record breaks the schema, as 'path: message' lines (empty when valid)."""
    return _messages(record_validator(), record)


def extraction_errors(extraction: dict) -> list[str]:
    """Every way an extraction breaks the schema."""
    return _messages(extraction_validator(), extraction)


def page_errors(page: dict) -> list[str]:
    """Every way one page of a record breaks the schema."""
    return _messages(page_validator(), page)
