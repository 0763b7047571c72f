"""Sphinx configuration for the sklearn-synth documentation."""

import sklearn_synth

project = "sklearn-synth"
author = "The sklearn-synth developers"
release = sklearn_synth.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
}
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "doc_module": ("sklearn_synth",),
}
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
