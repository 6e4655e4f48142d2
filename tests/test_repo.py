"""Promises the repository makes to a newcomer: two set-up commands, and CI runs the test one."""

import re
import subprocess

import pytest

from conftest import REPO_ROOT


def _setup_commands():
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert commands == [
        "pip install -r requirements.txt && python app.py",
        "pip install -r requirements-test.txt && python -m pytest",
    ]


def test_ci_runs_the_readme_test_command_verbatim_then_the_opt_in_tests():
    ci_lines = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    readme_command = ci_lines.index(_setup_commands()[1])
    # The README's command deselects slow, browser and GPU tests (pytest.ini); CI opts into them after it.
    addopts = re.search(r"^addopts = (.*)$", (REPO_ROOT / "pytest.ini").read_text(), flags=re.M).group(1)
    assert '-m "not slow and not e2e and not gpu"' in addopts
    assert ci_lines.index('python -m pytest -m "slow or e2e or gpu"') > readme_command


def test_torch_is_pinned_and_torchvision_absent():
    requirements = (REPO_ROOT / "requirements.txt").read_text()
    assert re.search(r"^torch==2\.13\.0$", requirements, flags=re.M)
    assert "torchvision" not in re.sub(r"#.*", "", requirements)


def test_spaces_header_matches_the_gradio_requirement():
    readme = (REPO_ROOT / "README.md").read_text()
    header = readme.split("---\n")[1]
    assert "sdk: gradio" in header and "app_file: app.py" in header
    major = re.search(r"sdk_version: (\d+)\.", header).group(1)
    assert f"gradio>={major}." in (REPO_ROOT / "requirements.txt").read_text()


def test_every_tracked_binary_file_goes_through_lfs():
    """The Hub refuses binary files pushed by plain git: each one git itself calls binary (`i/-text`)
    must match an LFS rule of .gitattributes (`git check-attr`)."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listing = subprocess.run(["git", "ls-files", "--eol"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    binaries = [line.split("\t", 1)[1] for line in listing.stdout.splitlines() if line.split()[0] == "i/-text"]
    assert len(binaries) > 50  # the shipped weights and sample grids
    checked = subprocess.run(["git", "check-attr", "filter", "--stdin"], cwd=REPO_ROOT, input="\n".join(binaries),
                             capture_output=True, text=True, check=True)
    uncovered = [line for line in checked.stdout.splitlines() if not line.endswith(": filter: lfs")]
    assert uncovered == []
