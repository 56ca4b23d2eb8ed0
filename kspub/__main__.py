from kspub.cli import main

main()
