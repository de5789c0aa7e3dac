from pixely_benefits.cli import main

main()
