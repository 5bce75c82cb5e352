"""A local SP-API marketplace for tests, the demo and dry runs. No runtime code imports it."""
