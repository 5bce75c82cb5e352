"""What the bridge and the worker share: settings, our tables, the Magento catalog reader.

Nothing here imports Flask, ``bridge`` or ``worker``.
"""
