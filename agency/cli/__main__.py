from agency.cli import main

main()
