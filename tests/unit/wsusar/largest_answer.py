"""The largest answer a real server sends the collection, as the tests and the benchmark build it.

ExecuteSPGetCategories with every category of a server that offers every product (docs/evidence.md, "Answer
sizes and limits"): CATEGORIES rows shaped like the emulator's (answers/ExecuteSPGetCategories.xml), each
with a DESCRIPTION_CHARS description (the emulator's have none) and a TITLE_CHARS title. About 2 MB.
"""

from __future__ import annotations

import os
import re
import uuid

ANSWER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "answers", "ExecuteSPGetCategories.xml")
CATEGORIES = 1500  # 4.3 times the 345 categories the emulator's sources name
DESCRIPTION_CHARS = 500
TITLE_CHARS = 60


def largest_category_answer(categories=CATEGORIES):
    with open(ANSWER, "rb") as handle:
        seed = handle.read()
    rows = re.findall(rb"<GenericReadableRow>.*?</GenericReadableRow>", seed)
    head = seed[: seed.index(b"<GenericReadableRow>")]
    tail = seed[seed.rindex(b"</GenericReadableRow>") + len(b"</GenericReadableRow>") :]
    built = []
    for index in range(categories):
        row = rows[index % len(rows)]
        values = re.findall(rb"<anyType[^>]*/>|<anyType[^>]*>[^<]*</anyType>", row)
        guid = str(uuid.UUID(int=index + 1)).encode()
        title = (b"Product %05d " % index).ljust(TITLE_CHARS, b"x")
        description = (b"Updates for product %05d. " % index).ljust(DESCRIPTION_CHARS, b"d")
        values[1] = re.sub(rb">[^<]*<", b">" + guid + b"<", values[1])
        values[7] = b'<anyType xsi:type="xsd:string">' + title + b"</anyType>"
        values[8] = b'<anyType xsi:type="xsd:string">' + description + b"</anyType>"
        built.append(b"<GenericReadableRow><Values>" + b"".join(values) + b"</Values></GenericReadableRow>")
    return head + b"".join(built) + tail
