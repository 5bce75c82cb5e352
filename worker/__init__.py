"""RQ workers: everything that talks to Amazon (SP-API client, sync jobs, scheduling, locks)."""
