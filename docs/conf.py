"""Sphinx configuration for the sklearn-synth documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
Nothing is downloaded (no intersphinx inventories). The gallery runs every
``examples/plot_*.py`` script; set ``SKLEARN_SYNTH_DOCS_QUICK=1`` to run only
the ones that finish in seconds (CI does), the others are then shown without
their output.
"""

import os
import warnings

import sklearn_synth

project = "sklearn-synth"
author = "The sklearn-synth developers"
release = sklearn_synth.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
# The examples that train networks longest (tens of seconds each on 2 CPU cores);
# tests/test_examples.py runs every example in any case.
SLOW_EXAMPLES = ("plot_rebalancing.py", "plot_privacy_cyclegan.py", "plot_sensegen.py")
quick = os.environ.get("SKLEARN_SYNTH_DOCS_QUICK") == "1"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "doc_module": ("sklearn_synth",),
    "filename_pattern": (r"/plot_(?!" + "|".join(n[5:-3] for n in SLOW_EXAMPLES) + r")"
                         if quick else r"/plot_"),
    "abort_on_example_error": True,
    "download_all_examples": False,
}
# matplotlib's non-GUI backend warns when a script calls plt.show()
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

templates_path = ["_templates"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
