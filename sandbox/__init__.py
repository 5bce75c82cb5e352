"""Stand-ins for the outside world, for tests, the demo and dry runs: a local SP-API
marketplace, the sample Magento catalog (``catalog``), private MariaDB and Redis
processes (``localservices``) and the demo (``demo``, ``demo_server``). No runtime code
imports it."""
