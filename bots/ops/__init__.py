"""What a process reports about itself: logs, metrics, outages, start-up checks."""
