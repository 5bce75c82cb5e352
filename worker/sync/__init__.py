"""The sync cycle: importer, binder, mapper, exporter, synchronizer."""
