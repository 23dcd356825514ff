"""Statistics: one comparison of two periods, and the launch evaluation."""
