"""(Re)build the Word files of the import-variants corpus, byte for byte.

    .venv/bin/python tests/data/import_variants/build_docx.py          # write every .docx
    .venv/bin/python tests/data/import_variants/build_docx.py --check  # rebuild in memory, compare

Each Word variant is IOM's 2024 reply to the UN DESA questionnaire (seed document
000_03dd96ab053d39da.txt, answers shortened) laid out as other entities' staff send it: the
Word template (bold numbered questions, answers as paragraphs, a two-column label | value
table per event, resource and initiative), with one thing changed per file: lists, links,
tracked changes, a comment, a table with a header row, content controls. The malformed files
are built here too (a renamed OpenDocument file, a cut-off zip, an encrypted-looking OLE file,
a zip bomb, an empty file). What each file must import as is in its NAME.expected.json; the
text of the replies below is what those expectations quote, so change both together.

python-docx writes what it can; the rest (w:ins/w:del, w:sdt, w:hyperlink, list numbering) is
raw OOXML. Zip members get a fixed date and the core properties fixed values, so building
twice gives the same bytes.
"""

import argparse
import hashlib
import io
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
FIXED_STAMP = "2025-01-15T09:00:00Z"
ZIP_TIME = (2025, 1, 15, 9, 0, 0)

# -- IOM's 2024 reply, shortened from the seed document ---------------------------------

ORGANIZATION = "International Organization for Migration (IOM)"

HEADINGS = {
    "1": "1. In the past year, has the governing body of your organization taken any decisions to advance sustainable, inclusive, science- and evidence-based solutions for the 2030 Agenda for Sustainable Development and ensure that no one is left behind? If yes, please briefly mention these decisions taken by your governing body in 2024 and provide the respective symbols. (max 200 words)",
    "2": "2. During 2024, what actions have your entities taken to improve coordination among UN system entities across policy and normative activities as well as with ECOSOC subsidiary bodies with a view to increase impact and accelerate the implementation of the 2030 Agenda? Please provide any relevant links. (max 200 words)",
    "3": "3. In the past year, has your organization organized any intergovernmentally mandated conferences, forums or events that contributed to the achievement of the SDGs, or has been in the process of planning and organizing any such mandated events to be held next year?",
    "4": "4. In the past year, has your organization published or planned to publish any analytical work, guidance or reference materials, or toolkits to guide and support the implementation of SDGs at national, regional and global levels? Please select up to three to highlight, especially those that address interlinkages among the SDGs.",
    "5": "5. The United Nations has defined six key transitions, or transformative entry points, that can have catalytic and multiplier effects across the SDGs and which have been guiding the UN development system work since the 2023 SDG Summit. In the past year, how has your organization contributed to these transformative actions and how various actors are being rallied behind them to mobilize further leadership and investment to bring progress to scale? Please provide any relevant links. (max 200 words under each transition)",
    "6": "6. Please provide strategies (policies, guidance, plan) and/or collective actions taken to implement the 2024 Ministerial Declaration of the Economic and Social Council and the high-level political forum on sustainable development convened under the auspices of the Council. Please note any challenges foreseen and provide any relevant links. (max 200 words)",
    "7": "7. What collective efforts is your entity undertaking to support countries in accelerating the achievement of the Sustainable Development Goals, especially in the areas of Goal 3 (Good health and well-being), Goal 5 (Gender equality), Goal 8 (Decent work and economic growth), Goal 14 (Life below water) and Goal 17 (Partnerships), which will go under in-depth review at the HLPF in 2025? Please note any achievements, challenges and gaps and provide any relevant links. (max 200 words)",
}

GUIDANCE = {
    "3": "Please copy the below table to fill out for each event:",
    "4": "Please copy the below table to fill out for each resource:",
    "7": "If your organization has been part of any initiatives or multi-stakeholder partnerships in the past year that support these goals, please copy the below table to fill out for each initiative/partnership.",
}

Q1 = [
    "In January 2024, IOM launched its new global IOM Strategic Plan 2024 - 2028 to deliver on the promise of safe, orderly, and regular migration while supporting the world’s most vulnerable. The Strategic Plan guides acceleration of the SDG implementation and actions agreed upon in the 2023 SDG Summit Political Declaration, which recognized the positive role and contribution of migrants for inclusive growth and sustainable development and recommitted Member States to cooperate internationally to ensure safe, orderly and regular migration.",
    "The Strategic Plan sets out three overarching goals to leverage the full and powerful force of migration for development: 1) saving lives and protecting people on the move; 2) driving solutions to displacement; 3) and facilitating pathways for regular migration. As a core member of the UN Sustainable Development Group (UNSDG) and Coordinator and Secretariat of UN Network on Migration (UNNM), IOM will continue to play a central role in ensuring effective, timely and coordinated UN system-wide support to Member States to enhance cooperation on international migration.",
]

Q2 = [
    "IOM produced an internal policy and programming framing paper on Six Transitions for SDG Acceleration, to equip country and regional office staff with better understanding of the Six Transitions as an organizing framework, help them to effectively engage in discussions around them, and improve coordination with UN system partners at their levels. The issuance of the paper was followed by global internal webinars, featuring DCO focal points as guest speakers to provide advice on how IOM might best leverage the Six Transitions to accelerate SDG implementation (see Question 5 on IOM’s work and programmes directly linked to the Six Transitions).",
]

EVENT_LABELS = (
    ("name", "Event Name"),
    ("dates", "Event Dates"),
    ("location", "Event Location (City, Country)"),
    ("sdgs", "Relevant SDGs"),
    (
        "description",
        "Description (max 150 words): please include a short summary of the event’s mandate and contributions to the SDGs, including its main outcome(s)",
    ),
    ("website", "Website (if applicable)"),
)
RESOURCE_LABELS = (
    ("name", "Resource Name"),
    ("sdgs", "Relevant SDGs (list all relevant goals)"),
    ("publishing_entities", "Publishing entity/entities"),
    ("target_audience", "Target audience"),
    ("description", "Description (max 150 words)"),
    ("languages", "Language(s)"),
    ("website", "Website (if applicable)"),
)
INITIATIVE_LABELS = (
    ("name", "Initiative/Partnership Name"),
    ("partners", "Partners (please list all partners)"),
    ("sdgs", "Relevant SDGs (list all relevant goals)"),
    ("member_states", "Member States benefiting from it"),
    ("description", "Description (max 150 words)"),
    ("website", "Website"),
)
LABELS = {"3": EVENT_LABELS, "4": RESOURCE_LABELS, "7": INITIATIVE_LABELS}

ALL = list(range(1, 18))

# Each row: its fields as written ("description" is a list of paragraphs) and "goals", the
# SDG numbers its "sdgs" text means.
EVENTS = [
    {
        "name": "International Dialogue on Migration (IDM) – First Session 2024",
        "dates": "21-22 May 2024",
        "location": "New York",
        "sdgs": "All 17 SDGs",
        "goals": ALL,
        "description": [
            "IDM is a platform that brings together a wide range of stakeholders of human mobility and discuss, analyze and share knowledge and perspectives on key issues around migration and human mobility. This IDM session took place in the context of the ongoing Global Compact for Safe, Orderly and Regular Migration (GCM) Regional Reviews and ahead of the UN Summit of the Future. It was recognized as a key part of wider efforts to accelerate progress towards the Sustainable Development Goals and facilitate alternatives to dangerous, abusive, and exploitative irregular journeys."
        ],
        "website": "",
    },
    {
        "name": "International Dialogue on Migration (IDM) – Second Session 2024",
        "dates": "25 November 2024",
        "location": "New York",
        "sdgs": "All 17 SDGs",
        "goals": ALL,
        "description": [
            "The second IDM session in 2024 will build on the first IDM session and explore what a comprehensive approach to regular pathways means in practice, particularly for catalyzing sustainable development and global green transition. In the wake of the Summit of the Future and COP 29, this IDM session will provide an opportunity to reflect on ways to leverage migration as a force for prosperity and progress for all."
        ],
        "website": "",
    },
    {
        "name": "Second Africa Regional Global Compact on Safe, Orderly and Regular Migration (GCM) Review",
        "dates": "8-10th October 2024",
        "location": "Addis Ababa, Ethiopia",
        "sdgs": "All",
        "goals": ALL,
        "description": [
            "Ahead of the second quadrennial IMRF to be held in 2026 as mandated by the UN General Assembly, the second round of Regional Reviews provides an opportunity to Member States and stakeholders to review implementation of the GCM within their respective regions.",
            "The Second Africa Regional GCM Review brought together representatives from African member states, stakeholders, the UN system and African Union Commission. Key outcomes included stronger commitments to improve migrant protection, enhance data for evidence-based policymaking and reshape narratives to highlight migration as an opportunity for development.",
        ],
        "website": "",
    },
]

RESOURCES = [
    {
        "name": "World Migration Report 2024 and Related Digital Tools",
        "sdgs": "4, 5, 8, 10, 17",
        "goals": [4, 5, 8, 10, 17],
        "publishing_entities": "IOM",
        "target_audience": "Policy makers, practitioners, researchers, media, students, general public",
        "description": [
            "The World Migration Report is IOM’s flagship publication and the global reference report on migration. The 2024 edition is the twelfth in the World Migration Report series and presents key data and information on migration as well as thematic chapters on highly salient migration issues. The report is supplemented by a range of digital tools, such as the World Migration Report Interactive."
        ],
        "languages": "English, French, Spanish, Chinese, Russian, Arabic",
        "website": "",
    },
    {
        "name": "Beijing Platform for Action 30-year review observer paper prepared by the International Organization for Migration",
        "sdgs": "1, 3, 4, 5, 8, 10, 11, 13, 16, 17",
        "goals": [1, 3, 4, 5, 8, 10, 11, 13, 16, 17],
        "publishing_entities": "IOM",
        "target_audience": "Policymakers, researchers, and stakeholders involved in gender equality, migration, and international development",
        "description": [
            "This paper discusses how migration affects women differently based on gender roles and societal norms. It delves into the obstacles and advantages women migrants face regarding work opportunities, social support systems, safety concerns, and adaptation to climate change."
        ],
        "languages": "English",
        "website": "",
    },
    {
        "name": "Skills Mobility Partnerships: Recommendations and Guidance for Policymakers and Practitioners",
        "sdgs": "4, 8, 10, 17",
        "goals": [4, 8, 10, 17],
        "publishing_entities": "IOM",
        "target_audience": "Member States, employers, CSOs, trade unions, and development partners",
        "description": [
            "SMPs are inter-state agreements concluded between states to promote human capital development and positive labour market outcomes for both country of origin and destination. To set up effective and sustainable Skills Mobility Partnerships, this publication offers practical recommendations and guidance, illustrated through national and regional examples."
        ],
        "languages": "English",
        "website": "",
    },
]

Q5_INTRO = [
    "While migration or human mobility is not the subject of a dedicated transition, human mobility – given its significance as a historical phenomenon and its prominence as a contemporary reality – is inherently linked to all six key transitions. To put it simply, the 2030 Agenda and the SDGs, including the commitment to leave no one behind, will not be achieved without due consideration of migrants and displaced persons.",
]

# (the part's title in the questionnaire, its paragraphs)
TRANSITIONS = [
    (
        "Food systems",
        [
            "People on the move are, in general, more at risk of food insecurity due to barriers such as remote routes and often-irregular nature of their stay in transit or destination countries. With one-quarter of the global farm work done by migrant workers, they contribute to the food supply and food security of billion others.",
            "The Transhumance Tracking Tool (TTT) monitors transhumance flows and captures real-time information on events and conflicts related to livestock mobility, which is then shared with local governance systems to prevent conflicts and mitigate tensions.",
        ],
    ),
    (
        "Energy access and affordability",
        [
            "As displacement reaches new record levels year after year, comes the challenge of ensuring they have access to electricity and clean cooking for their well-being and livelihoods.",
            "The solarization project in Malakal, South Sudan, with the installation of a hybrid solar power facility, generates electricity for the humanitarian hub and serves 80,000 people in the city and surrounding communities with a reliable and cost-effective solar energy system.",
        ],
    ),
    (
        "Digital connectivity",
        [
            "People on the move too often are left out of the digital transformation, due to cost, digital literacy and other reasons. Migrant smugglers and human traffickers increasingly use online platforms to target individuals.",
            "IOM’s iDiaspora platform, recognized as an SDG best practice, boasts over 2,800 members and brings together resources from a variety of partners to help individuals and organisations in diaspora engage as developmental actors.",
        ],
    ),
    (
        "Education",
        [
            "With one in eight persons on the move globally, mainstreaming human mobility considerations throughout the repositioning of education systems is indispensable.",
            "In Viet Nam, the Advancing Skills Development and Mobility for Vietnamese Future Workforce in the Context of the Green Transition project places a significant emphasis on enhancing skills and competencies within the future workforce.",
        ],
    ),
    (
        "Jobs and social protection",
        [
            "Human mobility benefits communities of destination, as migrants buoy specific labour markets and contribute to countries’ fiscal budgets. Yet, migrants are more likely than non-migrants to be in poverty.",
            "IRIS is IOM’s flagship initiative to promote ethical recruitment and protection of migrant workers, and supports governments, civil society, the private sector, and labour recruiters to establish ethical recruitment as the norm in cross-border labour migration.",
        ],
    ),
    (
        "Climate change, biodiversity loss and pollution",
        [
            "More than half of all internal displacement around the world are driven by climate-induced disasters.",
            "In Somalia, IOM, UNEP and SIPRI are implementing a programme that reduces environmentally induced displacement and conflict through investments and innovations in physical water infrastructure and energy capture in the agropastoral sector.",
        ],
    ),
]

Q6 = [
    "As the IOM in-depth review of SDGs 1, 2, 13, 16, and 17 (inputs to HLPF 2024) underlines, migration is more than ever a multi-faceted reality that does already – and could even more – contribute to accelerating progress towards the 2030 Agenda. IOM is fully committed to:",
    "Double down on existing human mobility, sustainable development and other global commitments such as the 2030 Agenda, Addis Ababa Action Agenda, Sendai Framework on Disaster Risk Reduction and the Paris Agreement.",
    "Accelerate implementation of mobility-centric frameworks, in particular the Global Compact for Safe, Orderly and Regular Migration (GCM), which provides a robust and internationally agreed framework of good migration governance.",
]

INITIATIVES = [
    {
        "name": "The IOM Innovation Facility",
        "partners": "Academia, private sector, migrants and other stakeholders",
        "sdgs": "3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 17",
        "goals": [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 17],
        "member_states": "All",
        "description": [
            "The IOM Innovation Facility, launched in 2024, creates an enabling environment to collaborate, ideate and develop innovative solutions that can transform the way we address migration challenges. In addition to providing seed funding for innovation, the Facility provides innovation trainings and tools."
        ],
        "website": "",
    },
    {
        "name": "Alliance 8.7 Migration Action Group",
        "partners": "Lead organization: IOM; Secretariat: ILO; Members: more than 30 entities, including governments, UN agencies, IOs, CSOs, academia",
        "sdgs": "5, 8, 10, 16",
        "goals": [5, 8, 10, 16],
        "member_states": "All",
        "description": [
            "The Alliance 8.7 is the world’s leading global initiative for SDG Target 8.7. It provides a platform for partners to share information, promising practices, lessons learned, collaborate and demonstrate progress.",
            "The Alliance 8.7 Migration Action Group, led by IOM, is dedicated to promoting safe, orderly, and regular migration pathways to combat human trafficking, forced labour, child labour, and modern slavery worldwide.",
        ],
        "website": "",
    },
    {
        "name": "Electronic Personal Health Record (e-PHR)",
        "partners": "IOM, DG SANTE, Takeda",
        "sdgs": "3, 10, 16, 17",
        "goals": [3, 10, 16, 17],
        "member_states": "Colombia, Ecuador, Ethiopia, Kenya, Uganda, and Yemen",
        "description": [
            "The electronic Personal Health Record (e-PHR) programme aims at addressing the challenges migrants face in accessing healthcare services due to the lack of previous medical records. It provides healthcare workers a snapshot of migrants' medical histories, facilitating timely treatment and interventions."
        ],
        "website": "",
    },
    {
        "name": "Displaced Talent for Europe (DT4E)",
        "partners": "IOM, Talent Beyond Boundaries (TBB), Fedasil, Fragomen, Pathways International",
        "sdgs": "5, 8, 10, 17",
        "goals": [5, 8, 10, 17],
        "member_states": "Belgium, United Kingdom, Ireland, Portugal, France, Slovakia, Jordan, Lebanon",
        "description": [
            "By establishing and piloting complementary labour mobility pathways to Europe, Displaced Talent for Europe (DT4E) enables people in need of international protection who are currently primarily based in Jordan and Lebanon to connect with employers and job opportunities in various European countries."
        ],
        "website": "",
    },
]

ROWS = {"3": EVENTS, "4": RESOURCES, "7": INITIATIVES}

# Links the hyperlink variant adds (public addresses).
IDM_PAGE = "https://www.iom.int/international-dialogue-migration"
WMR_SITE = "https://worldmigrationreport.iom.int/"
UNNM_SITE = "https://migrationnetwork.un.org/"
IDIASPORA_SITE = "https://www.idiaspora.org/"


# -- Writing Word files ------------------------------------------------------------------


def new_document() -> docx.document.Document:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    properties = document.core_properties
    properties.author = "IOM"
    properties.last_modified_by = "IOM"
    properties.created = FIXED_TIME
    properties.modified = FIXED_TIME
    properties.revision = 1
    properties.title = "UN DESA questionnaire 2024 – IOM reply"
    return document


def question(document, number: str, text: str | None = None):
    """A question as the template writes it: one bold paragraph, number and prompt."""
    paragraph = document.add_paragraph()
    paragraph.add_run(text or HEADINGS[number]).bold = True
    return paragraph


def answer(document, paragraphs: list[str]) -> list:
    return [document.add_paragraph(text) for text in paragraphs]


def guidance(document, number: str):
    paragraph = document.add_paragraph()
    paragraph.add_run(GUIDANCE[number]).italic = True
    return paragraph


def part_title(document, text: str):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True
    run.underline = WD_UNDERLINE.SINGLE
    return paragraph


def value_paragraphs(row: dict, field: str) -> list[str]:
    value = row.get(field, "")
    return list(value) if isinstance(value, list) else [value]


def fill_cell(cell, paragraphs: list[str]) -> None:
    cell.paragraphs[0].text = paragraphs[0] if paragraphs else ""
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


def row_table(document, number: str, row: dict):
    """One record as the template's two-column table: the label left (bold), the value right."""
    labels = LABELS[number]
    table = document.add_table(rows=len(labels), cols=2)
    table.style = "Table Grid"
    for cells, (field, label) in zip(table.rows, labels, strict=True):
        label_cell, value_cell = cells.cells
        label_cell.paragraphs[0].add_run(label).bold = True
        fill_cell(value_cell, value_paragraphs(row, field))
    document.add_paragraph()
    return table


def narrative_and_tables(document, skip: tuple[str, ...] = (), hooks: dict | None = None):
    """The whole 2024 reply in the template's layout; ``hooks`` replace one section each.

    A hook is called as hook(document) in place of the default writer of that section
    ("1" … "7", the question with its heading).
    """
    hooks = hooks or {}
    document.add_paragraph(ORGANIZATION)
    writers: dict[str, Callable] = {
        "1": lambda d: (question(d, "1"), answer(d, Q1)),
        "2": lambda d: (question(d, "2"), answer(d, Q2)),
        "3": lambda d: table_question(d, "3"),
        "4": lambda d: table_question(d, "4"),
        "5": lambda d: transitions(d),
        "6": lambda d: (question(d, "6"), answer(d, Q6)),
        "7": lambda d: table_question(d, "7"),
    }
    for number, writer in writers.items():
        if number in skip:
            continue
        hooks.get(number, writer)(document)
    return document


def table_question(document, number: str, rows: list[dict] | None = None):
    question(document, number)
    guidance(document, number)
    for row in rows if rows is not None else ROWS[number]:
        row_table(document, number, row)


def transitions(document, titles: list[str] | None = None):
    question(document, "5")
    answer(document, Q5_INTRO)
    for index, (title, paragraphs) in enumerate(TRANSITIONS):
        part_title(document, titles[index] if titles else f"{index + 1}) {title}")
        answer(document, paragraphs)


# -- Raw OOXML ---------------------------------------------------------------------------


def w_run(text: str, *, deleted: bool = False, bold: bool = False) -> str:
    tag = "w:delText" if deleted else "w:t"
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{properties}<{tag} xml:space="preserve">{escape(text)}</{tag}></w:r>'


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph_from_xml(document, inner: str, *, properties: str = ""):
    """Append a w:p holding ``inner`` (runs, w:ins, w:del, w:hyperlink…) to the body."""
    element = parse_xml(f"<w:p {nsdecls('w', 'r')}>{properties}{inner}</w:p>")
    document.element.body.append(element)
    move_sect_pr_last(document)
    return element


def append_xml(parent, xml: str) -> None:
    """Append the elements of an OOXML fragment (runs, w:ins, w:hyperlink…) to ``parent``."""
    wrapper = parse_xml(f"<w:wrap {nsdecls('w', 'r')}>{xml}</w:wrap>")
    for element in list(wrapper):
        parent.append(element)


def move_sect_pr_last(document) -> None:
    body = document.element.body
    sect_pr = body.find(qn("w:sectPr"))
    if sect_pr is not None:
        body.remove(sect_pr)
        body.append(sect_pr)


# Tracked changes: one author, one date, ids counted up.
_REVISION = {"id": 100}


def revision_attributes() -> str:
    _REVISION["id"] += 1
    return f'w:id="{_REVISION["id"]}" w:author="Migration and Sustainable Development Unit" w:date="{FIXED_STAMP}"'


def inserted(text: str) -> str:
    return f"<w:ins {revision_attributes()}>{w_run(text)}</w:ins>"


def deleted(text: str) -> str:
    return f"<w:del {revision_attributes()}>{w_run(text, deleted=True)}</w:del>"


def hyperlink(document, text: str, address: str) -> str:
    """A w:hyperlink run to an external address, with its relationship in the part."""
    r_id = document.part.relate_to(address, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    return (
        f'<w:hyperlink r:id="{r_id}" w:history="1"><w:r><w:rPr><w:color w:val="0563C1"/>'
        f'<w:u w:val="single"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
        "</w:hyperlink>"
    )


def add_list_numbering(document) -> dict[str, int]:
    """Two list definitions as Word writes them (a bullet list, a "1." list): their numIds."""
    numbering = document.part.numbering_part.element
    definitions = {
        "bullet": (
            30,
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            '<w:lvlText w:val="\uf0b7"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr>'
            '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            '<w:lvlText w:val="o"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr>'
            '<w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:hint="default"/></w:rPr></w:lvl>',
        ),
        "decimal": (
            31,
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>',
        ),
    }
    first_num = numbering.find(qn("w:num"))
    ids = {}
    for kind, (number, levels) in definitions.items():
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{number}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}</w:abstractNum>'
        )
        first_num.addprevious(abstract)
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{number}">'
                f'<w:abstractNumId w:val="{number}"/></w:num>'
            )
        )
        ids[kind] = number
    return ids


def list_item(document, text: str, num_id: int, level: int = 0):
    """A list paragraph with direct numbering, as Word's list buttons write it."""
    paragraph = document.add_paragraph(text, style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="{num_id}"/></w:numPr>'
        )
    )
    return paragraph


def wrap_in_block_sdt(elements: list, alias: str, sdt_id: int) -> None:
    """Move body elements (paragraphs, a table) into one block-level content control."""
    first = elements[0]
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{alias}"/>'
        f'<w:tag w:val="{alias.lower().replace(" ", "-")}"/><w:id w:val="{sdt_id}"/>'
        "</w:sdtPr><w:sdtContent/></w:sdt>"
    )
    first.addprevious(sdt)
    content = sdt.find(qn("w:sdtContent"))
    for element in elements:
        content.append(element)


def wrap_runs_in_inline_sdt(paragraph_element, alias: str, sdt_id: int) -> None:
    """Move a paragraph's runs into one run-level content control (a form's text field)."""
    runs = paragraph_element.findall(qn("w:r"))
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{alias}"/><w:id w:val="{sdt_id}"/>'
        '<w:text w:multiLine="1"/></w:sdtPr><w:sdtContent/></w:sdt>'
    )
    if runs:
        runs[0].addprevious(sdt)
    else:
        paragraph_element.append(sdt)
    content = sdt.find(qn("w:sdtContent"))
    for run in runs:
        content.append(run)


# -- The variants ------------------------------------------------------------------------


def word_template_layout() -> docx.document.Document:
    return narrative_and_tables(new_document())


def word_bullets_and_numbering() -> docx.document.Document:
    document = new_document()
    ids = add_list_numbering(document)

    def q1(d):
        question(d, "1")
        answer(d, Q1[:1])
        d.add_paragraph(
            "The Strategic Plan sets out three overarching goals to leverage the full and "
            "powerful force of migration for development:"
        )
        for item in (
            "saving lives and protecting people on the move;",
            "driving solutions to displacement;",
            "facilitating pathways for regular migration.",
        ):
            list_item(d, item, ids["decimal"])
        d.add_paragraph(
            "As a core member of the UN Sustainable Development Group (UNSDG) and Coordinator "
            "and Secretariat of UN Network on Migration (UNNM), IOM will continue to play a "
            "central role in ensuring effective, timely and coordinated UN system-wide support "
            "to Member States to enhance cooperation on international migration."
        )

    def q6(d):
        question(d, "6")
        answer(d, Q6[:1])
        for item in Q6[1:]:
            list_item(d, item, ids["bullet"])
        d.add_paragraph("Challenges foreseen include:")
        list_item(d, "limited data disaggregated by migratory status;", ids["bullet"])
        list_item(d, "uneven inclusion of migrants in national SDG plans.", ids["bullet"])

    return narrative_and_tables(document, hooks={"1": q1, "6": q6})


def word_hyperlinks() -> docx.document.Document:
    document = new_document()

    def q1(d):
        question(d, "1")
        answer(d, Q1[:1])
        before, after = Q1[1].split("UN Network on Migration", 1)
        paragraph_from_xml(
            d, w_run(before) + hyperlink(d, "UN Network on Migration", UNNM_SITE) + w_run(after)
        )

    def q3(d):
        question(d, "3")
        guidance(d, "3")
        for index, row in enumerate(EVENTS):
            table = row_table(d, "3", row)
            if index == 0:  # the website cell: a link whose text is not the address
                cell_paragraph = table.rows[5].cells[1].paragraphs[0]._p
                append_xml(
                    cell_paragraph,
                    hyperlink(d, "IDM 2024 – First Session (IOM website)", IDM_PAGE),
                )

    def q4(d):
        question(d, "4")
        guidance(d, "4")
        for index, row in enumerate(RESOURCES):
            table = row_table(d, "4", row)
            if index == 0:
                cell_paragraph = table.rows[6].cells[1].paragraphs[0]._p
                append_xml(cell_paragraph, hyperlink(d, "worldmigrationreport.iom.int", WMR_SITE))

    def q5(d):
        question(d, "5")
        answer(d, Q5_INTRO)
        for index, (title, paragraphs) in enumerate(TRANSITIONS):
            part_title(d, f"{index + 1}) {title}")
            if title != "Digital connectivity":
                answer(d, paragraphs)
                continue
            answer(d, paragraphs[:1])
            before, after = paragraphs[1].split("iDiaspora platform", 1)
            paragraph_from_xml(
                d,
                w_run(before) + hyperlink(d, "iDiaspora platform", IDIASPORA_SITE) + w_run(after),
            )

    return narrative_and_tables(document, hooks={"1": q1, "3": q3, "4": q4, "5": q5})


def word_tracked_changes() -> docx.document.Document:
    _REVISION["id"] = 100
    document = new_document()

    def q1(d):
        question(d, "1")
        first = Q1[0]
        head, tail = first.split("new global IOM Strategic Plan", 1)
        # "its draft IOM Strategic Plan" became "its new global IOM Strategic Plan".
        paragraph_from_xml(
            d,
            w_run(head)
            + deleted("draft")
            + inserted("new global")
            + w_run(" IOM Strategic Plan" + tail),
        )
        answer(d, Q1[1:])

    def q2(d):
        question(d, "2")
        answer(d, Q2)
        # A whole paragraph deleted, its paragraph mark too.
        paragraph_from_xml(
            d,
            deleted("The framing paper will be shared with all regional offices in early 2025."),
            properties=f"<w:pPr><w:rPr><w:del {revision_attributes()}/></w:rPr></w:pPr>",
        )

    def q3(d):
        question(d, "3")
        guidance(d, "3")
        for index, row in enumerate(EVENTS):
            table = row_table(d, "3", row)
            if index == 0:  # the dates were corrected with tracking on
                cell = table.rows[1].cells[1]
                cell_paragraph = cell.paragraphs[0]._p
                for run in cell_paragraph.findall(qn("w:r")):
                    cell_paragraph.remove(run)
                append_xml(cell_paragraph, deleted("20-21 May 2024") + inserted("21-22 May 2024"))

    def q6(d):
        question(d, "6")
        answer(d, Q6[:2])
        last = Q6[2]
        paragraph_from_xml(
            d,
            w_run(last)
            + inserted(
                " The SG Action Agenda on Internal Displacement can transform the way "
                "displacement crises are resolved, prevented and addressed."
            ),
        )

    return narrative_and_tables(document, hooks={"1": q1, "2": q2, "3": q3, "6": q6})


def word_comment() -> docx.document.Document:
    document = new_document()

    def q2(d):
        question(d, "2")
        before, after = Q2[0].split("global internal webinars", 1)
        paragraph = d.add_paragraph(before)
        anchor = paragraph.add_run("global internal webinars")
        paragraph.add_run(after)
        d.add_comment(
            anchor,
            text="Please add the dates of the webinars and the link to the framing paper.",
            author="Reviewer, Migration and Sustainable Development Unit",
            initials="MSD",
        )

    def q3(d):
        question(d, "3")
        guidance(d, "3")
        for index, row in enumerate(EVENTS):
            table = row_table(d, "3", row)
            if index == 1:
                run = table.rows[1].cells[1].paragraphs[0].runs[0]
                d.add_comment(
                    run,
                    text="Date to be confirmed by the IDM team before we send.",
                    author="IDM Secretariat",
                    initials="IDM",
                )

    document = narrative_and_tables(document, hooks={"2": q2, "3": q3})
    for comment in document.part._comments_part.element.findall(qn("w:comment")):
        comment.set(qn("w:date"), FIXED_STAMP)
    return document


# Column widths (inches) of the one-table-per-question layout, description widest.
GRID_WIDTHS = {
    "3": (1.2, 0.8, 0.9, 0.7, 1.8, 0.6),
    "4": (1.1, 0.6, 0.7, 0.9, 1.6, 0.6, 0.5),
    "7": (1.0, 1.0, 0.7, 0.9, 1.8, 0.6),
}


def word_header_row_table() -> docx.document.Document:
    """One table per question: a header row of the labels, then one row per record."""
    document = new_document()

    def grid(d, number: str):
        question(d, number)
        guidance(d, number)
        labels = [
            (field, "Description (max 150 words)" if field == "description" else label)
            for field, label in LABELS[number]
        ]
        rows = ROWS[number]
        table = d.add_table(rows=len(rows) + 1, cols=len(labels))
        table.style = "Table Grid"
        table.autofit = False
        header = table.rows[0]
        header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
        for cell, (_field, label) in zip(header.cells, labels, strict=True):
            cell.paragraphs[0].add_run(label).bold = True
        for table_row, row in zip(table.rows[1:], rows, strict=True):
            for cell, (field, _label) in zip(table_row.cells, labels, strict=True):
                fill_cell(cell, value_paragraphs(row, field))
        widths = GRID_WIDTHS[number]
        for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            column.w = Inches(width)
        for table_row in table.rows:
            for cell, width in zip(table_row.cells, widths, strict=True):
                cell.width = Inches(width)
        d.add_paragraph()

    return narrative_and_tables(
        document,
        hooks={
            "3": lambda d: grid(d, "3"),
            "4": lambda d: grid(d, "4"),
            "7": lambda d: grid(d, "7"),
        },
    )


def word_content_control() -> docx.document.Document:
    document = new_document()
    ids = iter(range(501, 600))

    def q1(d):
        question(d, "1")
        paragraphs = [p._p for p in answer(d, Q1)]
        wrap_in_block_sdt(paragraphs, "Answer to question 1", next(ids))

    def q2(d):
        question(d, "2")
        paragraph = answer(d, Q2)[0]
        wrap_runs_in_inline_sdt(paragraph._p, "Answer to question 2", next(ids))

    def q3(d):
        question(d, "3")
        guidance(d, "3")
        for row in EVENTS:
            table = row_table(d, "3", row)
            for table_row in table.rows:
                for value_paragraph in table_row.cells[1].paragraphs:
                    wrap_runs_in_inline_sdt(value_paragraph._p, "Event field", next(ids))
            # The form's "repeating section": the whole table is one control too.
            wrap_in_block_sdt([table._tbl], "Event", next(ids))

    def q6(d):
        question(d, "6")
        paragraphs = [p._p for p in answer(d, Q6)]
        wrap_in_block_sdt(paragraphs, "Answer to question 6", next(ids))

    return narrative_and_tables(document, hooks={"1": q1, "2": q2, "3": q3, "6": q6})


WORD_VARIANTS: dict[str, Callable[[], docx.document.Document]] = {
    "word_template_layout": word_template_layout,
    "word_bullets_and_numbering": word_bullets_and_numbering,
    "word_hyperlinks": word_hyperlinks,
    "word_tracked_changes": word_tracked_changes,
    "word_comment": word_comment,
    "word_header_row_table": word_header_row_table,
    "word_content_control": word_content_control,
}


# -- Zips --------------------------------------------------------------------------------


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def normalized_zip(data: bytes) -> bytes:
    """The same zip with fixed dates and attributes, so that a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(zip_info(info.filename), source.read(info.filename))
    return out.getvalue()


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return normalized_zip(buffer.getvalue())


def odt_renamed() -> bytes:
    """An OpenDocument text (what LibreOffice saves) with a .docx name: a zip, not Word's."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        mimetype = zip_info("mimetype")
        mimetype.compress_type = zipfile.ZIP_STORED
        archive.writestr(mimetype, "application/vnd.oasis.opendocument.text")
        archive.writestr(
            zip_info("META-INF/manifest.xml"),
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.2">\n'
            ' <manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.text"/>\n'
            ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
            "</manifest:manifest>\n",
        )
        paragraphs = [ORGANIZATION, HEADINGS["1"], *Q1, HEADINGS["2"], *Q2]
        body = "".join(f"<text:p>{escape(text)}</text:p>" for text in paragraphs)
        archive.writestr(
            zip_info("content.xml"),
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>\n",
        )
    return out.getvalue()


def truncated_zip() -> bytes:
    """The template variant cut off after 60% of its bytes, as an interrupted download."""
    whole = saved(word_template_layout())
    return whole[: len(whole) * 6 // 10]


def encrypted_ole() -> bytes:
    """What Word writes for a password-protected .docx: an OLE compound file, not a zip.

    A 512-byte header (signature D0 CF 11 E0 A1 B1 1A E1, version 3, 512-byte sectors) and
    a directory sector naming the streams of an encrypted package; the rest is filler.
    """
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[0x18:0x1A] = (0x003E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (0x0003).to_bytes(2, "little")  # major version 3
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")  # little-endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # 2^9 = 512-byte sectors
    header[0x20:0x22] = (6).to_bytes(2, "little")  # 64-byte mini sectors
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # one FAT sector
    header[0x30:0x34] = (1).to_bytes(4, "little")  # directory starts at sector 1
    header[0x38:0x3C] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # FAT sector 0
    header[0x50:512] = b"\xff" * (512 - 0x50)
    fat = bytearray(b"\xff" * 512)
    fat[0:4] = (0xFFFFFFFD).to_bytes(4, "little")  # sector 0: the FAT itself
    fat[4:8] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 1: the directory, one sector
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        entry[0x40:0x42] = len(encoded).to_bytes(2, "little")
        entry[0x42] = 5 if index == 0 else 2  # root storage, then streams
        directory[index * 128 : (index + 1) * 128] = entry
    filler = hashlib.sha256(b"EncryptedPackage").digest() * 64  # looks random, is fixed
    return bytes(header + fat + directory) + filler


BOMB_SIZE = 110_000_000  # bytes of word/document.xml once decompressed (> 100 MB)


def zip_bomb() -> bytes:
    """A .docx whose word/document.xml inflates to 110 MB (one paragraph, "IOM " repeated).

    The other members are the template variant's, so that the file is a Word package in
    every other respect; deflate packs the repeated word about 1,000 to 1.
    """
    base = saved(word_template_layout())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(zip_info(info.filename), source.read(info.filename))
                continue
            head = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                b'<w:body><w:p><w:r><w:t xml:space="preserve">'
            )
            tail = b"</w:t></w:r></w:p></w:body></w:document>"
            unit = b"IOM "
            count, padding = divmod(BOMB_SIZE - len(head) - len(tail), len(unit))
            with target.open(zip_info("word/document.xml"), "w") as stream:
                stream.write(head)
                chunk = unit * 250_000  # 1 MB
                for _ in range(count // 250_000):
                    stream.write(chunk)
                stream.write(unit * (count % 250_000) + b" " * padding)
                stream.write(tail)
    return out.getvalue()


def all_files() -> dict[str, bytes]:
    files = {f"{name}.docx": saved(build()) for name, build in WORD_VARIANTS.items()}
    files["malformed_odt_renamed.docx"] = odt_renamed()
    files["malformed_truncated_zip.docx"] = truncated_zip()
    files["malformed_encrypted_ole.docx"] = encrypted_ole()
    files["malformed_zip_bomb.docx"] = zip_bomb()
    files["malformed_empty_file.docx"] = b""
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the files on disk, write nothing"
    )
    arguments = parser.parse_args()
    differ = []
    for name, data in all_files().items():
        path = HERE / name
        if arguments.check:
            if not path.exists() or path.read_bytes() != data:
                differ.append(name)
            continue
        path.write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    if differ:
        print("differ from a rebuild:", ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
