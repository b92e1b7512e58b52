"""The 17 Sustainable Development Goals with their official short titles and colours.

Kept as plain data so that the data migration, the loader and the tests share it.
Colours are the UN's official SDG colour codes. The titles are the English ones (the
database, the importer and the exports' data columns keep them); they are marked for
translation, and pages show ``sdg_title(number)``, the official short title in the
active language (French: the UN's "Pas de pauvreté", "Faim « zéro »", ...).
"""

from django.utils.translation import gettext, gettext_noop

SDGS: tuple[tuple[int, str, str], ...] = (
    (1, gettext_noop("No Poverty"), "#E5243B"),
    (2, gettext_noop("Zero Hunger"), "#DDA63A"),
    (3, gettext_noop("Good Health and Well-being"), "#4C9F38"),
    (4, gettext_noop("Quality Education"), "#C5192D"),
    (5, gettext_noop("Gender Equality"), "#FF3A21"),
    (6, gettext_noop("Clean Water and Sanitation"), "#26BDE2"),
    (7, gettext_noop("Affordable and Clean Energy"), "#FCC30B"),
    (8, gettext_noop("Decent Work and Economic Growth"), "#A21942"),
    (9, gettext_noop("Industry, Innovation and Infrastructure"), "#FD6925"),
    (10, gettext_noop("Reduced Inequalities"), "#DD1367"),
    (11, gettext_noop("Sustainable Cities and Communities"), "#FD9D24"),
    (12, gettext_noop("Responsible Consumption and Production"), "#BF8B2E"),
    (13, gettext_noop("Climate Action"), "#3F7E44"),
    (14, gettext_noop("Life Below Water"), "#0A97D9"),
    (15, gettext_noop("Life on Land"), "#56C02B"),
    (16, gettext_noop("Peace, Justice and Strong Institutions"), "#00689D"),
    (17, gettext_noop("Partnerships for the Goals"), "#19486A"),
)


_TITLES = {number: title for number, title, _colour in SDGS}


def sdg_title(number: int) -> str:
    """The goal's official short title in the active language."""
    return gettext(_TITLES[number])


def format_sdgs(numbers) -> str:
    """SDG numbers as the 2024 form writes them: "All 17 SDGs", else "1, 5, 10"."""
    unique = sorted(set(numbers))
    if unique == list(range(1, 18)):
        return "All 17 SDGs"
    return ", ".join(str(number) for number in unique)
