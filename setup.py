"""setuptools' script, for the compiled build's extension modules only: everything else
about the distribution is in pyproject.toml, and without the switch (see
build_backend/simulator_build.py) there are none and the package is pure Python."""

from setuptools import setup
from simulator_build import setup_arguments

setup(**setup_arguments())
