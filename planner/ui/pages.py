"""The app's pages and which role may open which: one list, read by the navigation
(`app.py`) and by the sign-in route that sends a browser on to the page it asked for."""

from __future__ import annotations

from planner.store import Role

# url path: (script, title, icon). Pages live in app_pages/, not pages/: Streamlit treats
# a pages/ folder as an old-style multipage app, and a session opened on /map then
# bypasses the navigation. Material icons ship with Streamlit (no emoji font needed).
PAGES = {
    "mission": ("app_pages/mission.py", "Mission", ":material/description:"),
    "teams": ("app_pages/teams.py", "Teams & rules", ":material/groups:"),
    "plan": ("app_pages/plan.py", "Plan", ":material/route:"),
    "map": ("app_pages/map.py", "Map", ":material/map:"),
    "my_area": ("app_pages/my_area.py", "My area", ":material/my_location:"),
    "coverage": ("app_pages/coverage.py", "Coverage", ":material/bar_chart:"),
    "export": ("app_pages/export.py", "Export", ":material/download:"),
    "my_schedule": ("app_pages/my_schedule.py", "My schedule", ":material/event_note:"),
    "accounts": ("app_pages/accounts.py", "Accounts", ":material/manage_accounts:"),
}
# Every role's own password page: reached from the sidebar, not listed in the menu.
PASSWORD_PAGE = (
    "password",
    "app_pages/change_password.py",
    "Change password",
    ":material/password:",
)
SIGN_IN_PAGE = ("app_pages/sign_in.py", "Sign in", ":material/login:")
# What each role may open, the first page being where it starts.
ROLE_PAGES = {
    Role.COORDINATOR: [
        "mission", "teams", "plan", "map", "my_area", "coverage", "export", "accounts",
    ],
    Role.LTO: ["my_area", "map", "coverage", "export"],
    Role.TEAM: ["my_schedule"],
}  # fmt: skip


def page_names() -> list[str]:
    """Every page's url path (the sign-in page stands in for each before signing in)."""
    return [*PAGES, PASSWORD_PAGE[0]]


def landing(role: Role, wanted: str) -> str:
    """Where a signed-in `role` goes when it asked for `wanted`: that page if the role
    has it, else its start page ("")."""
    own = ROLE_PAGES[role]
    if wanted == PASSWORD_PAGE[0] or (wanted in own and wanted != own[0]):
        return wanted
    return ""
