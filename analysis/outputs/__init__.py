"""What leaves the dashboard: safe CSV, the briefing pack, disclosure control for public output."""
