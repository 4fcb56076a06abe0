"""groupkeeper's platform-free core: events in, actions out."""
