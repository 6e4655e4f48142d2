import pytest

from genai_demo.data import text as text_module
from genai_demo.data.text import DEBIAN_CORPORA, load_text_corpus, load_text_file
from genai_demo.errors import DatasetError


def test_python_code_is_the_standard_library_and_splits_for_validation():
    corpus = load_text_corpus("python-code")
    assert len(corpus.text) == text_module.PYTHON_CODE_CHARS
    assert "def " in corpus.text and "import " in corpus.text
    train, validation = corpus.split()
    assert train + validation == corpus.text
    assert len(validation) == pytest.approx(0.05 * len(corpus.text), abs=1)
    assert load_text_corpus("python-code").text == corpus.text  # deterministic


@pytest.mark.parametrize("name", list(DEBIAN_CORPORA))
def test_debian_corpora_are_read_when_installed_and_explained_when_not(name, tmp_path, monkeypatch):
    files, package = DEBIAN_CORPORA[name]
    if (text_module.FORTUNES_DIR / files[0]).is_file():
        corpus = load_text_corpus(name)
        assert len(corpus.text) > 5000 and "\x1b[" not in corpus.text and "\n%\n" not in corpus.text
    monkeypatch.setattr(text_module, "FORTUNES_DIR", tmp_path)
    with pytest.raises(DatasetError, match=f"apt-get install {package}"):
        load_text_corpus(name)


@pytest.mark.parametrize(
    "content, message",
    [
        ("héllo wörld ".encode("latin-1") * 20, "is not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00" * 20, "looks binary"),
        (b"", "empty or too short"),
        (b"   \n\n  ", "empty or too short"),
    ],
)
def test_bad_text_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "corpus.txt"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_text_corpus(str(path))


def test_user_text_file_with_bom_and_size_limit(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes("\ufeff".encode() + "床前明月光，疑是地上霜。\n".encode() * 20)
    corpus = load_text_file(path)
    assert corpus.text.startswith("床前") and corpus.name == "poems"
    with pytest.raises(DatasetError, match="the limit is"):
        load_text_file(path, max_bytes=100)


def test_unknown_corpus():
    with pytest.raises(DatasetError, match="unknown text corpus 'shakespeare'"):
        load_text_corpus("shakespeare")
