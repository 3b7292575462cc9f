"""What the tests share: small missions built in code, app stores, route-mode inputs,
routing inputs and geodata helpers (countries at scale: `planner.synthetic`)."""
