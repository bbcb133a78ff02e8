"""Out of the request path: the delivery worker and the background loops."""
