"""The mission store: missions, plan versions, field updates, users and the audit log.

SQLite by default (`$PLANNER_DATA_DIR/planner.db`), PostgreSQL when
`$PLANNER_DATABASE_URL` is set. Every function that reads or writes mission data takes
the current user and returns only what that user may see (see `planner.store.access`);
every write is one transaction.

    store = open_store()
    sign_in = authenticate(store, "aigerim", password, client="203.0.113.5")
    user = session_user(store, sign_in.token)
    mission = load_mission(store, mission_id, user=user)
"""

from planner.store.access import CurrentUser, Role, system_user
from planner.store.accounts import (
    UserInfo,
    bootstrap_coordinator,
    get_user,
    has_users,
    reset_password,
    set_mission,
    unlock,
    users_add,
    users_list,
    users_remove,
)
from planner.store.audit import Action, AuditRecord, audit, audit_log
from planner.store.auth import SignIn, authenticate, change_password, sign_in_external
from planner.store.db import Store, database_url, migrate, open_store
from planner.store.errors import (
    AccessDenied,
    AccountsWithoutMission,
    AuthError,
    BusyError,
    ConflictError,
    NotFound,
    StoreError,
)
from planner.store.field import (
    FieldReport,
    FieldUpdateRecord,
    PlanningInputs,
    add_field_update,
    apply_reports,
    dismiss_field_update,
    field_updates,
    open_field_updates,
    planning_inputs,
)
from planner.store.missions import (
    MissionInfo,
    import_mission,
    list_missions,
    load_mission,
    mission_info,
    teams_version,
    update_settings,
    update_teams,
)
from planner.store.plans import (
    PlanVersionInfo,
    TeamDiff,
    as_plan,
    diff_versions,
    load_plan,
    plan_diff,
    plan_version,
    plan_versions,
    publish,
    published_version,
    save_plan,
)
from planner.store.sessions import (
    ActiveSession,
    Handoff,
    check_session,
    issue_ticket,
    redeem_ticket,
    session_user,
    sign_out,
)
from planner.store.travel import route_lines, save_route_lines, travel_settings

__all__ = [
    "AccessDenied",
    "AccountsWithoutMission",
    "Action",
    "ActiveSession",
    "AuditRecord",
    "AuthError",
    "BusyError",
    "ConflictError",
    "CurrentUser",
    "FieldReport",
    "FieldUpdateRecord",
    "Handoff",
    "MissionInfo",
    "NotFound",
    "PlanVersionInfo",
    "PlanningInputs",
    "Role",
    "SignIn",
    "Store",
    "StoreError",
    "TeamDiff",
    "UserInfo",
    "add_field_update",
    "apply_reports",
    "as_plan",
    "audit",
    "audit_log",
    "authenticate",
    "bootstrap_coordinator",
    "change_password",
    "check_session",
    "database_url",
    "diff_versions",
    "dismiss_field_update",
    "field_updates",
    "get_user",
    "has_users",
    "import_mission",
    "issue_ticket",
    "list_missions",
    "load_mission",
    "load_plan",
    "migrate",
    "mission_info",
    "open_field_updates",
    "open_store",
    "plan_diff",
    "plan_version",
    "plan_versions",
    "planning_inputs",
    "publish",
    "published_version",
    "redeem_ticket",
    "reset_password",
    "route_lines",
    "save_plan",
    "save_route_lines",
    "session_user",
    "set_mission",
    "sign_in_external",
    "sign_out",
    "system_user",
    "teams_version",
    "travel_settings",
    "unlock",
    "update_settings",
    "update_teams",
    "users_add",
    "users_list",
    "users_remove",
]
