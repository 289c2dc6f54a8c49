"""In-app notifications and the iCalendar feed."""
