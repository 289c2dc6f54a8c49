from resilience.cli import main

main()
