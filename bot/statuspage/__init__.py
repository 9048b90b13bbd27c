"""The public status page: public updates of incidents, and the pages, feed and JSON built
from them (never from an incident's internal title, channel, people or timeline)."""
