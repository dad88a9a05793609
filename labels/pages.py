"""A job as a stream of pages: each page is a list of (cell index, item) placements."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from labels.model import LabelItem, LabelJob
from labels.templates import Template


def each_label(job: LabelJob) -> Iterator[LabelItem]:
    for item in job.items:
        for _ in range(item.copies):
            yield item


def each_page(job: LabelJob, template: Template) -> Iterator[list[LabelItem]]:
    """The job's labels cut into pages; never holds more than one page."""
    labels = each_label(job)
    while page := list(islice(labels, template.per_page)):
        yield page


def page_count(job: LabelJob, template: Template) -> int:
    return max(1, -(-job.label_count // template.per_page))
