"""What the ``report`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.layout import Output, StageSpec, Zone

HTML = "report.html"
MD = "report.md"

STAGE = StageSpec(
    name="report", inputs=("evaluate",), config_keys=("evaluate",), run="onprem_sft.report.stage:run",
    about="HTML + markdown report",
    outputs=(
        Output(HTML, "report_html", Zone.REDACTED, scan=True, report=True),
        Output(MD, "report_md", Zone.REDACTED, scan=True),
    ))
