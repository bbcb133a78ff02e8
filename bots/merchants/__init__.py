"""What merchants do and see: their sign-in, forwarded cases, replies, offers."""
