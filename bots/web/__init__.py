"""The HTTP application: app factory, routes, templates, static files, web security."""
