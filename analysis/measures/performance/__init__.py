"""How each hub is doing: rates and changes, hubs side by side, outcomes of crimes, multi-agency cases."""
