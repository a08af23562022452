from kbtool.cli import main

main()
