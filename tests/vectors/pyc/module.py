"""A small module whose pyc headers are recorded in the vectors."""

import os

GREETING = "héllo, wörld"


def double(x):
    """Returns twice x."""
    return 2 * x


class Counter(object):
    def __init__(self):
        self.n = 0

    def bump(self, by=1):
        self.n += by
        return self.n


if __name__ == "__main__":
    print(GREETING, double(21), os.sep)
