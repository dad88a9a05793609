"""Counter staff across the fleet: the rosters boxes sign cashiers in with."""
