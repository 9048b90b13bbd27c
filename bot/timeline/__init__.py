"""The timeline: capture of messages, pages, corrections."""
