"""居民停车证 Residential parking permit: a third-party Yiwang service with a table of its own."""
