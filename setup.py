"""Package layout that pyproject.toml cannot say alone: the top-level ``resources/`` folder (the one
source of the style sheet and icons) ships inside the package as ``studio.resources``."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["studio", "studio.*"]), "studio.resources", "studio.resources.icons"],
    package_dir={"studio.resources": "resources"},
    package_data={"studio.resources": ["*.qss"], "studio.resources.icons": ["*.png"]},
    # The .ico/.icns files and the drawing script are for packaging/, not for the running studio.
    exclude_package_data={"studio.resources.icons": ["*.ico", "*.icns", "*.py"]},
)
