from puente.cli.app import main

main()
