"""English dates, times and numbers, as the UN writes them: "15 February 2025", "20:35".

One format per kind: pages, mails and documents all use DATE_FORMAT, DATETIME_FORMAT and
TIME_FORMAT (the short formats are the same, so that nothing, the admin included, writes
another). Data files (CSV, XLSX, JSON) keep ISO 8601.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
# What a date field shows and accepts: day first (the first is how a field writes its date).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
