"""Spanish: weekday and month in words with "de", a 24-hour clock."""

DATE_FORMAT = r"l j \d\e F \d\e Y"  # martes 1 de diciembre de 2026
SHORT_DATE_FORMAT = "D j M"  # mar 1 dic
TIME_FORMAT = "H:i"  # 18:00
DATETIME_FORMAT = r"l j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "D j M, H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
