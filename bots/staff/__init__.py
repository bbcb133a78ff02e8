"""Casework as staff do it: actions, views, sign-in, and the console's words."""
