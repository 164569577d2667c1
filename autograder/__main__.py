"""The course's command line: `python -m autograder --help`."""
from .cli import main

main()
