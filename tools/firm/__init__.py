"""The firm's view over all clients: checks, their cache, status, filters and charts."""
