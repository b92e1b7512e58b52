"""The 17 Sustainable Development Goals with their official short titles and colours.

Kept as plain data so that the data migration, the loader and the tests share it.
Colours are the UN's official SDG colour codes.
"""

SDGS: tuple[tuple[int, str, str], ...] = (
    (1, "No Poverty", "#E5243B"),
    (2, "Zero Hunger", "#DDA63A"),
    (3, "Good Health and Well-being", "#4C9F38"),
    (4, "Quality Education", "#C5192D"),
    (5, "Gender Equality", "#FF3A21"),
    (6, "Clean Water and Sanitation", "#26BDE2"),
    (7, "Affordable and Clean Energy", "#FCC30B"),
    (8, "Decent Work and Economic Growth", "#A21942"),
    (9, "Industry, Innovation and Infrastructure", "#FD6925"),
    (10, "Reduced Inequalities", "#DD1367"),
    (11, "Sustainable Cities and Communities", "#FD9D24"),
    (12, "Responsible Consumption and Production", "#BF8B2E"),
    (13, "Climate Action", "#3F7E44"),
    (14, "Life Below Water", "#0A97D9"),
    (15, "Life on Land", "#56C02B"),
    (16, "Peace, Justice and Strong Institutions", "#00689D"),
    (17, "Partnerships for the Goals", "#19486A"),
)


def format_sdgs(numbers) -> str:
    """SDG numbers as the 2024 form writes them: "All 17 SDGs", else "1, 5, 10"."""
    unique = sorted(set(numbers))
    if unique == list(range(1, 18)):
        return "All 17 SDGs"
    return ", ".join(str(number) for number in unique)
