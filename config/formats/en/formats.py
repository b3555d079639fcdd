"""English (United States): weekday and month in words, a 12-hour clock."""

DATE_FORMAT = "l, F j, Y"  # Tuesday, December 1, 2026
SHORT_DATE_FORMAT = "D, M j"  # Tue, Dec 1
TIME_FORMAT = "g:i A"  # 6:00 PM
DATETIME_FORMAT = "l, F j, Y, g:i A"
SHORT_DATETIME_FORMAT = "D, M j, g:i A"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
