"""`python -m planner.synthetic DIR`: write a synthetic country's station lists."""

from planner.synthetic.lists import main

main()
