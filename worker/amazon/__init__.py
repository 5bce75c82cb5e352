"""The SP-API Backend Adapter: client, auth, throttling, one module per API section."""
