"""`python -m beanfirm`: the command line, for a server hook or a git driver without PATH."""

from beanfirm.cli import main

main()
