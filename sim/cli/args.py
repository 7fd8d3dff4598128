"""Argument parsing for the commands: a bad argument ends in one line and exit 2, like bad config."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from sim.config.messages import printable
from sim.outputs.terminal import error


class OneLineParser(argparse.ArgumentParser):
    """argparse with its usage block replaced by one line naming the problem and where help is."""

    def error(self, message: str) -> NoReturn:
        error(printable(f"{self.prog}: invalid input: {message} (see {self.prog} --help)"))
        sys.exit(2)
