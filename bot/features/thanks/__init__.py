"""Thanks: points for the member whose message others thank."""
