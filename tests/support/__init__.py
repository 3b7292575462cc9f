"""What the tests share: missions built in code, synthetic countries, app stores,
route-mode inputs, routing inputs and geodata helpers."""
