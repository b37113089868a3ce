"""`python -m rqdash ARGS`: replace this interpreter with the rqdash binary, same arguments."""

import os
import sys

from rqdash import find_rqdash_bin


def main() -> None:
    try:
        binary = find_rqdash_bin()
    except FileNotFoundError as err:
        print(f"rqdash: {err}", file=sys.stderr)
        sys.exit(1)
    # exec keeps the pid and lets signals (Ctrl-C, SIGTERM from a supervisor) reach rqdash directly.
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
