from citetools.cli import console

console()
