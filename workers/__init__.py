"""Background processes: the RQ worker's jobs and the Redis expiry listener."""
