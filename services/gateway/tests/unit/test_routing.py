"""The routing table: longest prefix wins, on whole path segments only."""

import pytest

from gateway.routing import ROUTES, RouteTable


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/auth/login", "auth"),
        ("/api/v1/auth", "auth"),
        ("/api/v1/users/me", "auth"),
        ("/api/v1/subjects", "planner"),
        ("/api/v1/subjects/3f2a/", "planner"),
        ("/api/v1/plans/current/sessions", "planner"),
        ("/api/v1/sessions", "planner"),
        ("/api/v1/dashboard/summary", "planner"),
        ("/api/v1/ai/plans/generate", "planner"),
        ("/api/v1/ai/jobs/1", "planner"),
        ("/api/v1/calendar/feed/abc.ics", "planner"),
        ("/api/v1/calendar/busy", "planner"),
        ("/api/v1/feedback", "ai"),
        ("/api/v1/ai/generations/1", "ai"),
    ],
)
def test_a_path_goes_to_the_service_of_its_prefix(path, service):
    assert RouteTable().match(path) == service


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plansX",
        "/api/v1/plans-old/1",
        "/api/v1/usersettings",
        "/api/v1/ai",
        "/api/v1/ai/",
        "/api/v1/ai/generationsX",
        "/api/v1",
        "/api/v2/plans",
        "/API/v1/plans",
        "/plans",
        "",
    ],
)
def test_a_prefix_only_matches_whole_segments(path):
    assert RouteTable().match(path) is None


def test_the_longest_prefix_wins_whatever_the_table_order():
    table = RouteTable({"/a": "short", "/a/b/c": "longest", "/a/b": "middle"})

    assert table.match("/a/b/c/d") == "longest"
    assert table.match("/a/b/cd") == "middle"
    assert table.match("/a/bc") == "short"


def test_the_table_covers_the_three_services_of_the_design():
    assert RouteTable().services == {"auth", "planner", "ai"}
    assert len(ROUTES) == 11


@pytest.mark.parametrize("prefix", ["api/v1/x", "/api/v1/x/"])
def test_a_malformed_prefix_is_refused(prefix):
    with pytest.raises(ValueError, match="prefix"):
        RouteTable({prefix: "auth"})
