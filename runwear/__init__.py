"""runwear: shoe wear, surface mix and back-load warnings for runners."""

__version__ = "0.1.0"  # the one place it is written (pyproject reads it); --version prints it
