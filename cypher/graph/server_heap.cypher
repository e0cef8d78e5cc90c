// The server's largest heap in bytes, as GDS reads it (Runtime.maxMemory(): what its estimates are measured
// against). Used by detection's memory check and `linkage db status` on a server.
CALL gds.debug.sysInfo() YIELD key, value
WITH key, value WHERE key = 'heapMaxInBytes'
RETURN value AS heap_max_bytes
