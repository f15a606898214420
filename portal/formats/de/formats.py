"""Dates as TT.MM.JJJJ wherever a date is shown without a format of its own (the admin's lists,
inline rows, history), as the admin's date fields take them. Public pages name their formats."""

DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
