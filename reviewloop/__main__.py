"""`python -m reviewloop` entry point."""

from reviewloop.cli.app import main

if __name__ == "__main__":
    main()
