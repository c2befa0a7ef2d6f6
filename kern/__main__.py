from kern.cli import main

main()
