"""Action items: use cases, reminders, messages, modals."""
