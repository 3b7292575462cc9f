"""A plan run going when the server stops: the run's process and its files go with the
server, and after a restart the Plan page says the run was interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .conftest import COORDINATOR, PASSWORD, go_offline, nav, serve_app, sign_in

pytestmark = pytest.mark.browser


def _store(data_dir: Path) -> None:
    from planner.datasets import get_path
    from planner.geodata import load_mission
    from planner.store import Role, import_mission, open_store, system_user, users_add

    admin = system_user("test-admin")
    with open_store(data_dir=data_dir) as store:
        import_mission(store, load_mission(get_path()), user=admin)
        users_add(store, COORDINATOR, role=Role.COORDINATOR, user=admin, password=PASSWORD)


def _workers_of(folder: Path) -> list[int]:
    """Running planning processes whose files are in `folder`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "planner.ui.solve_worker" in command and str(folder) in command:
            found.append(int(proc.name))
    return found


def test_a_run_stopped_with_the_server_is_reported_after_a_restart(
    browser: Browser, browser_context_args: dict, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    _store(data_dir)
    jobs = data_dir / "jobs"
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        with serve_app(data_dir, log_name="streamlit-interrupted.log") as url:
            go_offline(page, url)
            sign_in(page, url, COORDINATOR)
            nav(page, "Plan")
            page.get_by_role("button", name="Run planner").click()
            expect(page.get_by_text("Planning (seed")).to_be_visible(timeout=60_000)
            (folder,) = jobs.glob("job-*")
            assert _workers_of(folder), "the run is going"
        # The server has stopped (SIGTERM, as a service manager stops it).
        assert _workers_of(folder) == []
        assert [p.name for p in folder.iterdir()] == ["job.json"]
        with serve_app(data_dir, log_name="streamlit-restarted.log") as url:
            page.unroute_all()
            go_offline(page, url)
            page.goto(url)  # the session cookie outlives the server: still signed in
            expect(page.get_by_text(f"Signed in as {COORDINATOR}")).to_be_visible(timeout=60_000)
            nav(page, "Plan")
            expect(page.get_by_text("Planning run interrupted (seed")).to_be_visible(timeout=60_000)
            # A click that lands while the page reruns (its session check, every 2 s) can
            # be lost on two busy cores: click again until the notice goes.
            notice = page.get_by_text("Planning run interrupted")
            dismiss = page.get_by_role("button", name="Dismiss")
            for _ in range(3):
                if dismiss.count():
                    dismiss.click()
                try:
                    expect(notice).to_have_count(0, timeout=20_000)
                    break
                except AssertionError:
                    continue
            expect(notice).to_have_count(0)
        assert list(jobs.glob("job-*")) == []
    finally:
        context.close()
