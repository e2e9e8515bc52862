"""The commands as library calls — build, check, collect — each gathering everything first and writing last."""
