"""runwear: shoe wear, surface mix and back-load warnings for runners."""
