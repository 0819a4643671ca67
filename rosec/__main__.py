from rosec.cli import main

main()
