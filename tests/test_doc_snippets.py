"""Every code block of the README and of the docs runs as written.

The blocks of a page run in order in one namespace (a page may build on its
earlier blocks), in a temporary working folder, on the shared data sets:
Python blocks (```python in Markdown, ``.. code-block:: python`` in reST) with
``exec``, command-line blocks (```bash, ``.. code-block:: console``) line by
line through ``sklearn_synth.cli.main``. Literal ``::`` blocks of reST are
illustrations (a sentence of symbols, a formula), not code, and are not run.

``SKLEARN_SYNTH_SNIPPETS=full`` runs them at full size. The default, ``quick``,
keeps CI fast without touching the text: every torch net trains for one epoch,
the flow loader keeps at most 150 rows per class (all rows of the rare
classes), the HMP loader 3 recordings per activity, and ``sklearn-synth
sample`` writes at most 20,000 rows.

Commands outside the package (``pip install``, ``python -m pytest``,
``python -m sphinx``) are what ``.ci/run`` runs; they are not run again here.
A block that needs an optional package that is not installed (``ray``) is
skipped with that reason.
"""

import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst")),
         *sorted((ROOT / "docs" / "user_guide").glob("*.rst"))]
QUICK = os.environ.get("SKLEARN_SYNTH_SNIPPETS", "quick") != "full"
# commands that .ci/run runs itself
_NOT_OURS = ("pip ", "python -m pytest", "python -m sphinx", "accelerate launch")
_MARKDOWN = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
_REST = re.compile(r"^\.\. code-block:: (\w+)\n((?:\n|[ \t]+.*\n)+)", re.M)


def _blocks(page):
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".md":
        found = [(m.start(), m.group(1), m.group(2)) for m in _MARKDOWN.finditer(text)]
    else:
        found = [(m.start(), m.group(1), _dedent(m.group(2))) for m in _REST.finditer(text)]
    return [(text.count("\n", 0, start) + 1, language, code) for start, language, code in found]


def _dedent(block):
    import textwrap

    return textwrap.dedent(block).strip("\n") + "\n"


def _commands(code, language):
    """The shell commands of a bash/console block, continuation lines joined."""
    lines = code.replace("\\\n", " ").splitlines()
    if language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def _run_command(command, where):
    from sklearn_synth.cli import main

    if QUICK:
        command = re.sub(r"(sample .* -n) (\d+)",
                         lambda m: f"{m.group(1)} {min(int(m.group(2)), 20_000)}", command)
    for part in (p.strip() for p in command.split("&&")):
        if part.startswith(_NOT_OURS) or not part:
            continue
        argv = shlex.split(part)
        assert argv[0] in ("sklearn-synth", "python"), f"{where}: cannot run {part!r}"
        if argv[0] == "python":
            assert argv[1:3] == ["-m", "sklearn_synth"], f"{where}: cannot run {part!r}"
            argv = argv[2:]
        assert main(argv[1:]) == 0, f"{where}: {part!r} failed"


def _quick_mode(monkeypatch):
    """One epoch per net and smaller real data sets, for CI."""
    import numpy as np

    import sklearn_synth.datasets as datasets
    from sklearn_synth.utils import _torch

    make_net = _torch.make_net

    def one_epoch(*args, **kwargs):
        return make_net(*args, **{**kwargs, "max_epochs": 1})

    for module in ("sklearn_synth.generators._base", "sklearn_synth.privacy._cyclegan",
                   "sklearn_synth.privacy._neural", "sklearn_synth.metrics._sequences"):
        monkeypatch.setattr(f"{module}.make_net", one_epoch)

    load_flows, load_hmp = datasets.load_network_flows, datasets.load_hmp

    def fewer_flows(*args, **kwargs):
        out = load_flows(*args, **kwargs)
        labels = np.asarray(out[1] if isinstance(out, tuple) else out["label"])
        rng = np.random.RandomState(0)
        rows = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:150]
                                       for c in np.unique(labels)]))
        if isinstance(out, tuple):
            return (out[0].iloc[rows].reset_index(drop=True),
                    out[1].iloc[rows].reset_index(drop=True))
        return out.iloc[rows].reset_index(drop=True)

    def fewer_recordings(*args, **kwargs):
        bunch = load_hmp(*args, **kwargs)
        keep = np.sort(np.concatenate([np.flatnonzero(bunch.target == a)[:3]
                                       for a in np.unique(bunch.target)]))
        for key in ("data", "filenames"):
            bunch[key] = [bunch[key][i] for i in keep]
        for key in ("target", "groups"):
            bunch[key] = np.asarray(bunch[key])[keep]
        return bunch

    monkeypatch.setattr(datasets, "load_network_flows", fewer_flows)
    monkeypatch.setattr(datasets, "load_hmp", fewer_recordings)


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.filterwarnings("ignore")  # what a page prints or warns is not under test here
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_runs_as_written(page, tmp_path, monkeypatch):
    from .conftest import data_dir

    blocks = _blocks(page)
    if not blocks:
        pytest.skip("no code blocks")
    data_dir("cicids2017_improved_2500")
    monkeypatch.chdir(tmp_path)
    if QUICK:
        _quick_mode(monkeypatch)
    _reset_accelerate()  # a page may make its own Accelerator
    monkeypatch.setattr("sys.argv", ["snippet"])
    namespace = {"__name__": "__main__"}
    for line, language, code in blocks:
        where = f"{page.name}:{line}"
        if language == "python":
            try:
                exec(compile(code, where, "exec"), namespace)
            except ModuleNotFoundError as exc:
                if exc.name == "ray":
                    continue  # skipped: needs ray, which the test extra does not install
                raise
        elif language in ("bash", "console", "sh"):
            for command in _commands(code, language):
                _run_command(command, where)
        else:
            raise AssertionError(f"{where}: a {language!r} block; the snippet test runs python, "
                                 "bash and console blocks")
    _reset_accelerate()


def _reset_accelerate():
    try:
        from accelerate.state import AcceleratorState
    except ImportError:
        return
    AcceleratorState._reset_state(reset_partial_state=True)


def test_the_snippet_reader_finds_the_blocks():
    readme = _blocks(ROOT / "README.md")
    assert [language for _, language, _ in readme][:3] == ["bash", "python", "bash"]
    rest = _blocks(ROOT / "docs" / "user_guide" / "rebalancing.rst")
    assert rest and all(language == "python" for _, language, _ in rest)
    assert all(not code.startswith(" ") for _, _, code in rest)
    assert _commands("$ sklearn-synth fit a.csv \\\n      -o m.safetensors\nout\n", "console") == [
        "sklearn-synth fit a.csv        -o m.safetensors"]
