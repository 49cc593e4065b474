"""First run: an empty programme, its first organizer, the set-up page, the settings."""

from __future__ import annotations

from sqlalchemy import select

from nominee import i18n, sharedcache
from nominee.categories import services as categories
from nominee.categories.models import Category
from nominee.contributions.models import ContributionType
from nominee.contributions.services import seed_contribution_types
from nominee.programme import services
from nominee.programme.models import ProgrammeSettings
from nominee.sharedcache import SharedCache

NO_CATEGORY = (
    "No categories yet: an organizer must create one before anyone can log a contribution."
)


def setup_form(**changes):
    data = {"name": "Contoso Community Stars", "time_zone": "Europe/Madrid", "add_types": "y"}
    suggested = [
        "Developer Technologies",
        "Cloud",
        "Data & AI",
        "Security",
        "Community Leadership",
    ]
    for index, name in enumerate(suggested):
        data[f"categories-{index}-keep"] = "y"
        data[f"categories-{index}-name"] = name
        data[f"categories-{index}-description"] = ""
    data.update(changes)
    return data


def test_an_empty_programme_invites_its_first_account_to_be_the_organizer(client, db):
    page = client.get("/").text
    assert "This programme has no account yet." in page
    assert 'href="/register"' in page


def test_the_first_account_registered_becomes_the_organizer_and_is_led_to_set_up(client, auth, db):
    answer = client.post(
        "/register",
        data={
            "display_name": "Ana Ruiz",
            "email": "ana@example.org",
            "password": "a long enough passphrase 42",
            "confirm": "a long enough passphrase 42",
        },
    )
    assert answer.status_code == 302, answer.text
    auth.login("ana@example.org", "a long enough passphrase 42")
    home = client.get("/").text
    assert "Set up the programme" in home and 'href="/setup"' in home
    assert "This programme has no account yet." not in home


def test_a_member_sees_what_is_missing_and_cannot_set_up(client, auth, make):
    make.organizer()
    member = make.user()
    auth.login(member)
    home = client.get("/").text
    assert NO_CATEGORY in home
    assert "/admin/categories/new" not in home
    assert client.get("/setup").status_code == 403


def test_the_setup_page_suggests_categories_and_shows_the_seeded_types(client, auth, make, db):
    seed_contribution_types(db)
    auth.login(make.organizer())
    page = client.get("/setup").text
    for name in ("Developer Technologies", "Cloud", "Data &amp; AI", "Security"):
        assert f'value="{name}"' in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert "Blog post" in page  # the seeded types, to accept


def test_setting_up_stores_the_settings_and_creates_the_chosen_categories(client, auth, make, db):
    organizer = make.organizer()
    auth.login(organizer)
    form = setup_form(**{"categories-1-keep": "", "categories-5-keep": "y"})
    form["categories-5-name"] = "Gaming"
    form["categories-5-description"] = "Game development"
    answer = client.post("/setup", data=form)
    assert answer.status_code == 302 and answer.location.endswith("/")
    names = set(db.scalars(select(Category.name)))
    assert names == {
        "Developer Technologies",
        "Data & AI",
        "Security",
        "Community Leadership",
        "Gaming",
    }
    assert db.scalar(select(ContributionType.id).limit(1)) is not None
    row = db.get(ProgrammeSettings, 1)
    assert (row.name, row.time_zone) == ("Contoso Community Stars", "Europe/Madrid")
    assert row.set_up_at is not None
    home = client.get("/").text
    assert "The programme is set up, with 5 new categories." in home
    assert NO_CATEGORY not in home and 'href="/setup"' not in home
    assert "<title>Home · Contoso Community Stars</title>" in home
    assert i18n.programme_time_zone() == "Europe/Madrid"


def test_bad_input_is_refused_next_to_the_field_and_nothing_changes(client, auth, make, db):
    auth.login(make.organizer())
    zone = client.post("/setup", data=setup_form(time_zone="Mars/Olympus_Mons"))
    assert zone.status_code == 400
    assert "Not a valid choice" in zone.text
    name = client.post("/setup", data=setup_form(name="X"))
    assert name.status_code == 400
    none = {f"categories-{n}-keep": "" for n in range(5)}
    nothing = client.post("/setup", data=setup_form(**none))
    assert nothing.status_code == 400
    assert "Keep at least one category" in nothing.text
    assert db.scalar(select(Category.id).limit(1)) is None
    assert db.get(ProgrammeSettings, 1) is None


def test_once_set_up_the_page_changes_the_name_and_zone(client, auth, make, db):
    auth.login(make.organizer())
    client.post("/setup", data=setup_form())
    page = client.get("/setup")
    assert page.status_code == 200 and "Programme settings" in page.text
    saved = client.post("/setup", data={"name": "Stars", "time_zone": "America/New_York"})
    assert saved.status_code == 302
    assert db.get(ProgrammeSettings, 1).name == "Stars"
    assert services.current(db).time_zone == "America/New_York"
    assert "· Stars</title>" in client.get("/").text


def test_the_settings_are_kept_in_the_shared_cache_and_dropped_when_a_change_commits(db, make):
    cache = SharedCache(None)
    sharedcache.attach(db, cache)
    first = services.current(db, cache)
    assert first.name == "" and first.categories == 0
    make.category(name="Cloud")  # not through the service: nothing says it is stale
    assert services.current(db, cache) == first  # kept
    assert services.current(db, max_age=0).categories == 1
    services.save(db, make.organizer(), name="Stars", time_zone="Asia/Tokyo")
    assert services.current(db, cache).name == ""  # not committed yet: still the old one
    db.commit()
    assert services.current(db, cache).name == "Stars"
    categories.create_category(db, make.organizer(), name="Data", description="")
    db.rollback()  # a change rolled back drops nothing
    assert services.current(db, cache).categories == 1
