"""The one corpus split: the committed models were built from exactly its TRAIN part."""

import json
from pathlib import Path

import pytest

from pipeline.corpus_split import split_of

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize("corpus", ["legal", "wiki"])
def test_models_split_json_agrees_with_split_of(corpus: str) -> None:
    recorded = json.loads((MODELS / "split.json").read_text(encoding="utf-8"))[corpus]
    disagree = [(name, part) for part, names in recorded.items() for name in names if split_of(name, corpus) != part]
    assert disagree == []


def test_split_is_by_name_and_stable() -> None:
    assert split_of("Luat-dat-dai-2013-215836.txt") == split_of("Luat-dat-dai-2013-215836.txt", "legal")
    assert {split_of(f"f{i}.txt") for i in range(200)} == {"train", "dev", "test"}
    parts = [split_of(f"tnt305/{i:016x}.txt", "real-admin") for i in range(2000)]
    assert 0.15 < parts.count("test") / 2000 < 0.25
    assert 0.15 < parts.count("dev") / 2000 < 0.25


def test_unknown_corpus_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match="unknown corpus 'laws'; known: legal, wiki, real-admin, real-scans"):
        split_of("x.txt", "laws")


def test_a_held_out_copy_of_a_less_held_out_document_is_excluded() -> None:
    from pipeline.corpus_split import near_duplicate_families

    base = " ".join(f"từ{i}" for i in range(60))
    texts = {"a.txt": base, "b.txt": base + " thêm một dòng ký tên", "c.txt": "văn bản khác hẳn " * 10}
    assert near_duplicate_families(texts) == [["a.txt", "b.txt"]]
    # a family recorded in the committed file: the train member stays train (the models are unchanged),
    # its test copy is never evaluated
    family = ["congbot/file_data_50.txt", "tnt305/8180ae11188469fd.txt"]
    assert [split_of(name, "real-admin", families=False) for name in family] == ["test", "train"]
    assert [split_of(name, "real-admin") for name in family] == ["excluded", "train"]


def test_page_pairs_of_excluded_documents_are_left_out_of_evaluation(tmp_path: Path) -> None:
    from pipeline.restore.pairs import load_pairs

    folder = tmp_path / "test"
    folder.mkdir()
    for pid, source in (("test000", "congbot/file_data_50.txt"), ("test001", "tnt305/8180ae11188469fd.txt")):
        (folder / f"{pid}.json").write_text(json.dumps({"source": source}), encoding="utf-8")
        (folder / f"{pid}.truth.txt").write_text("Kết luận", encoding="utf-8")
        (folder / f"{pid}.ocrad.txt").write_text("K_t lu_n", encoding="utf-8")
    # test000's document is an excluded near-copy (above); test001's stands in test only by its file here
    assert [pid for pid, *_ in load_pairs(tmp_path, "test")] == ["test001"]


def test_deriving_families_from_a_folder_without_index_is_a_one_line_usage_error(tmp_path: Path, capsys) -> None:
    from pipeline.corpus_split import main

    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"python -m pipeline.corpus_split: error: {tmp_path} holds no index.jsonl: give the real-admin folder of ../shared/corpora"
    )
