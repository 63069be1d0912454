"""`python -m simulator` is `simulate`."""

from simulator.cli import main

main()
