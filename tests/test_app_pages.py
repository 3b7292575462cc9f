"""Every app page runs headless (Streamlit AppTest) without an exception."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def test_mission_page_summarises_default_mission() -> None:
    """The default mission's headline figures are on the Mission page."""
    at = AppTest.from_file("../pages/mission.py", default_timeout=60).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Regions"] == "20"
    assert values["TECs"] == "239"
    assert values["Polling stations"] == "10,101"
    assert values["Voters"] == "11,950,485"
