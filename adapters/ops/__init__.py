"""Running groupkeeper as a service: ownership and standby, many communities
in one process, health and metrics, structured logs, backups."""
