"""Two sign-ups at the same moment on an empty database, with real commits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from nominee.accounts.models import Role, User
from nominee.uow import get_session


def test_two_first_sign_ups_at_once_make_one_organizer(committing_app):
    with committing_app.app_context():
        assert get_session().scalar(select(func.count(User.id))) == 0
    clients = [committing_app.test_client() for _ in range(2)]
    barrier = threading.Barrier(len(clients))

    def sign_up(index: int):
        barrier.wait(timeout=10)
        return clients[index].post(
            "/register",
            data={
                "display_name": f"Founder {index}",
                "email": f"founder{index}@example.org",
                "password": "a long enough phrase",
            },
        )

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(sign_up, range(len(clients))))
    assert [r.status_code for r in responses] == [302, 302], [r.text for r in responses]
    with committing_app.app_context():
        roles = sorted(role.value for role in get_session().scalars(select(User.role)))
    assert roles == [Role.MEMBER.value, Role.ORGANIZER.value]
    # Each founder sees their own role: only one of them has the organizer's menu.
    # (Registering logs nobody in: it answers "check your inbox" whatever the address.)
    for index, client in enumerate(clients):
        login = {"email": f"founder{index}@example.org", "password": "a long enough phrase"}
        assert client.post("/login", data=login).status_code == 302
    pages = [client.get("/admin/accounts") for client in clients]
    assert sorted(page.status_code for page in pages) == [200, 403]
