"""Result tables and what is derived from them; reads tables, never live simulation objects."""
