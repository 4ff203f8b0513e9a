"""Pure figures and warnings over stored runs: shoe mileage, surface mix, checks. No printing."""
