from rosec.console import run

run()
