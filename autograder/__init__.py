"""Build and grade the course's exercise notebooks (see README, "Architecture")."""
