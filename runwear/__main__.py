"""`python -m runwear`: the same as the `runwear` command."""

from runwear.cli import cli

if __name__ == "__main__":
    cli(prog_name="runwear")
