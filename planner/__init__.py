"""Deployment planner for election observation missions.

The solver core (`planner.plan`, `planner.route`) takes plain data and answers with plain
data (`planner.schedule`, `planner.routing_data`); files, the store and the app sit at
the edges. Importing this package loads nothing else.
"""
