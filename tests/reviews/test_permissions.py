"""Every review route against every role: checked on the server, whatever the page shows."""

from __future__ import annotations

import pytest

ROLES = ["anonymous", "member", "reviewer", "appointed", "organizer"]

# (method, path, data) -> expected status per role, in ROLES order.
ROUTES = [
    ("GET", "/review", None, (302, 403, 200, 200, 200)),
    ("GET", "/cycles/{c}/reviewers", None, (302, 403, 403, 403, 200)),
    ("POST", "/cycles/{c}/reviewers", {"reviewer_id": "{f}"}, (302, 403, 403, 403, 302)),
    ("POST", "/cycles/{c}/reviewers/{a}/remove", {}, (302, 403, 403, 403, 302)),
    ("GET", "/cycles/{c}/assignments", None, (302, 403, 403, 403, 200)),
    ("POST", "/cycles/{c}/assignments/auto", {}, (302, 403, 403, 403, 302)),
    (
        "POST",
        "/cycles/{c}/nominations/{n}/assign",
        {"reviewer_id": "{r}"},
        (302, 403, 403, 403, 302),
    ),
    (
        "POST",
        "/cycles/{c}/nominations/{n}/unassign",
        {"reviewer_id": "{r}"},
        (302, 403, 403, 403, 302),
    ),
    ("GET", "/cycles/{c}/dashboard", None, (302, 403, 403, 200, 200)),
    ("GET", "/cycles/{c}/nominations/{n}/review", None, (302, 404, 404, 200, 200)),
    (
        "POST",
        "/cycles/{c}/nominations/{n}/review",
        {"action": "draft", "version": "0"},
        (302, 404, 404, 403, 403),  # "appointed" is not assigned to it: no review
    ),
    (
        "POST",
        "/cycles/{c}/nominations/{n}/conflict",
        {"reason": "Friends"},
        (302, 403, 403, 302, 403),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, data, expected", ROUTES)
def test_route_access(
    method, path, data, expected, role, client, login, make, cycle, in_review, appointed
):
    other = appointed()
    appointment_id = make.appointment(cycle, make.reviewer()).id
    nomination = in_review()
    users = {
        "member": make.user,
        "reviewer": make.reviewer,
        "appointed": appointed,
        "organizer": make.organizer,
    }
    if role != "anonymous":
        login(users[role]())
    ids = {
        "c": cycle.id,
        "n": nomination.id,
        "a": appointment_id,
        "r": other.id,
        "f": make.reviewer().id,
    }
    url = path.format(**ids)
    if method == "GET":
        response = client.get(url)
    else:
        form = {key: value.format(**ids) for key, value in data.items()}
        response = client.post(url, data=form)
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == 302 and role == "anonymous":
        assert "/login" in response.headers["Location"]
