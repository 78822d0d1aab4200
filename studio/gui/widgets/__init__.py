"""Small reusable widgets shared by the panels."""
