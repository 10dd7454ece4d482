"""The calendar: a subscribable iCal feed of the plan, and busy times from a timetable."""
