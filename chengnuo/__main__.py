from chengnuo.cli import main

main()
