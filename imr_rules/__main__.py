"""`python -m imr_rules`: the same as the `imr-rules` command."""

from imr_rules.cli import main

if __name__ == "__main__":
    main()
