"""Subjects API (docs/api.md: Subjects): create, list, update and delete, each user's own only."""

import asyncio
import re
import uuid

import pytest

from planner.subjects.service import MAX_SUBJECTS_PER_USER

from .conftest import user_with_token
from .factories import SUBJECTS, create_subject, list_all

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


async def test_a_subject_is_created_with_the_documented_defaults(client, alice):
    response = await client.post(SUBJECTS, json={"name": "Linear algebra"}, headers=alice.headers)
    assert response.status_code == 201
    subject = response.json()
    assert set(subject) == {
        "id",
        "name",
        "exam_date",
        "difficulty",
        "target_minutes_per_week",
        "color",
        "created_at",
    }
    assert subject["name"] == "Linear algebra"
    assert subject["difficulty"] == 3
    assert subject["exam_date"] is subject["color"] is subject["target_minutes_per_week"] is None
    assert RFC3339_UTC.match(subject["created_at"])
    uuid.UUID(subject["id"])


async def test_every_field_is_stored_and_the_color_answered_in_upper_case(client, alice):
    subject = await create_subject(
        client,
        alice,
        "  Organic chemistry ",
        exam_date="2027-01-15",
        difficulty=5,
        target_minutes_per_week=240,
        color="#4f46e5",
    )
    assert subject["name"] == "Organic chemistry"
    assert subject["exam_date"] == "2027-01-15"
    assert subject["difficulty"] == 5
    assert subject["target_minutes_per_week"] == 240
    assert subject["color"] == "#4F46E5"
    assert await list_all(client, alice) == [subject]


async def test_a_name_is_unique_per_user_regardless_of_case(client, alice, bob):
    await create_subject(client, alice, "Maths")
    for name in ("MATHS", "maths", " Maths "):
        response = await client.post(SUBJECTS, json={"name": name}, headers=alice.headers)
        assert_problem(response, 409, "subject_exists")
    await create_subject(client, bob, "maths")  # another user's names do not count


async def test_concurrent_creates_of_one_name_make_exactly_one_subject(client, alice):
    responses = await asyncio.gather(
        *(
            client.post(SUBJECTS, json={"name": f"History{' ' * i}"}, headers=alice.headers)
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert len(await list_all(client, alice)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": 7}, "name"),
        ({"name": "A", "color": "red"}, "color"),
        ({"name": "A", "color": "#12345"}, "color"),
        ({"name": "A", "color": "#1234567"}, "color"),
        ({"name": "A", "color": "#GGGGGG"}, "color"),
        ({"name": "A", "difficulty": 0}, "difficulty"),
        ({"name": "A", "difficulty": 6}, "difficulty"),
        ({"name": "A", "difficulty": "hard"}, "difficulty"),
        ({"name": "A", "exam_date": "2027-13-01"}, "exam_date"),
        ({"name": "A", "exam_date": "next week"}, "exam_date"),
        ({"name": "A", "target_minutes_per_week": -1}, "target_minutes_per_week"),
        ({"name": "A", "target_minutes_per_week": 10081}, "target_minutes_per_week"),
        ({"name": "A", "user_id": str(uuid.uuid4())}, "user_id"),
        ({"name": "A", "id": str(uuid.uuid4())}, "id"),
        ({"name": "A", "created_at": "2026-01-01T00:00:00Z"}, "created_at"),
    ],
)
async def test_an_invalid_subject_is_a_422_naming_the_field(client, alice, body, field):
    response = await client.post(SUBJECTS, json=body, headers=alice.headers)
    problem = assert_problem(response, 422, "validation_error")
    assert ["body", field] in [error["loc"][:2] for error in problem["errors"]]
    assert await list_all(client, alice) == []


async def test_the_101st_subject_is_refused_with_limit_reached(client, alice):
    for i in range(MAX_SUBJECTS_PER_USER - 1):
        await create_subject(client, alice, f"Subject {i}")
    # Two racing creates at 99: the user's row lock lets exactly one of them in.
    racing = await asyncio.gather(
        *(client.post(SUBJECTS, json={"name": n}, headers=alice.headers) for n in ("A", "B"))
    )
    assert sorted(r.status_code for r in racing) == [201, 422]
    assert_problem(next(r for r in racing if r.status_code == 422), 422, "limit_reached")
    response = await client.post(SUBJECTS, json={"name": "One more"}, headers=alice.headers)
    assert_problem(response, 422, "limit_reached")
    assert len(await list_all(client, alice)) == MAX_SUBJECTS_PER_USER


async def test_the_list_pages_with_an_opaque_cursor_in_creation_order(client, alice):
    created = [await create_subject(client, alice, f"S{i}") for i in range(5)]
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get(SUBJECTS, params=params, headers=alice.headers)
        assert response.status_code == 200
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        pages.append([s["id"] for s in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in p] == [s["id"] for s in created]


async def test_the_default_page_holds_50_subjects(client, alice):
    for i in range(51):
        await create_subject(client, alice, f"S{i}")
    page = (await client.get(SUBJECTS, headers=alice.headers)).json()
    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "10000"])
async def test_a_limit_outside_1_to_100_is_a_422(client, alice, limit):
    response = await client.get(SUBJECTS, params={"limit": limit}, headers=alice.headers)
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    "cursor", ["garbage", "WyJ4Il0", "e30", "WyIyMDI2LTAxLTAxIiwgIngiXQ", "%%%", "x" * 300]
)
async def test_a_cursor_the_api_did_not_hand_out_is_a_422(client, alice, cursor):
    response = await client.get(SUBJECTS, params={"cursor": cursor}, headers=alice.headers)
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["query", "cursor"]


async def test_users_only_ever_see_their_own_subjects(client, alice, bob):
    mine = await create_subject(client, alice, "Alice's")
    await create_subject(client, bob, "Bob's")
    listed = await list_all(client, alice)
    assert listed == [mine]
    # A user id in the query is not an override.
    response = await client.get(SUBJECTS, params={"user_id": str(bob.id)}, headers=alice.headers)
    assert response.json()["items"] == [mine]


async def test_patch_changes_only_the_fields_sent_and_null_clears_optional_ones(client, alice):
    subject = await create_subject(client, alice, "Physics", color="#000000", difficulty=2)
    response = await client.patch(
        f"{SUBJECTS}/{subject['id']}",
        json={"name": "Physics II", "color": None, "exam_date": "2027-02-01"},
        headers=alice.headers,
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated == {
        **subject,
        "name": "Physics II",
        "color": None,
        "exam_date": "2027-02-01",
    }
    assert await list_all(client, alice) == [updated]
    empty = await client.patch(f"{SUBJECTS}/{subject['id']}", json={}, headers=alice.headers)
    assert empty.json() == updated


async def test_patch_to_another_subjects_name_is_a_409_but_recasing_its_own_is_fine(client, alice):
    await create_subject(client, alice, "Biology")
    chemistry = await create_subject(client, alice, "Chemistry")
    url = f"{SUBJECTS}/{chemistry['id']}"
    response = await client.patch(url, json={"name": "BIOLOGY"}, headers=alice.headers)
    assert_problem(response, 409, "subject_exists")
    response = await client.patch(url, json={"name": "CHEMISTRY"}, headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "CHEMISTRY"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"difficulty": None}, "difficulty"),
        ({"difficulty": 9}, "difficulty"),
        ({"color": "blue"}, "color"),
        ({"user_id": "00000000-0000-0000-0000-000000000000"}, "user_id"),
    ],
)
async def test_an_invalid_patch_is_a_422_and_changes_nothing(client, alice, body, field):
    subject = await create_subject(client, alice, "Art")
    response = await client.patch(f"{SUBJECTS}/{subject['id']}", json=body, headers=alice.headers)
    problem = assert_problem(response, 422, "validation_error")
    assert ["body", field] in [error["loc"][:2] for error in problem["errors"]]
    assert await list_all(client, alice) == [subject]


async def test_delete_removes_the_subject_and_a_later_patch_or_delete_is_a_404(client, alice):
    subject = await create_subject(client, alice, "Latin")
    url = f"{SUBJECTS}/{subject['id']}"
    response = await client.delete(url, headers=alice.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert await list_all(client, alice) == []
    assert_problem(await client.delete(url, headers=alice.headers), 404, "not_found")
    # No use after free: the deleted subject cannot be changed either (item 30).
    gone = await client.patch(url, json={"name": "Back"}, headers=alice.headers)
    assert_problem(gone, 404, "not_found")
    await create_subject(client, alice, "latin")  # the name is free again


async def test_another_users_subject_is_a_404_for_patch_and_delete_and_stays_intact(
    client, alice, bob
):
    subject = await create_subject(client, alice, "Geography")
    url = f"{SUBJECTS}/{subject['id']}"
    patched = await client.patch(url, json={"name": "Mine now"}, headers=bob.headers)
    deleted = await client.delete(url, headers=bob.headers)
    unknown = await client.delete(f"{SUBJECTS}/{uuid.uuid4()}", headers=bob.headers)
    bodies = {assert_problem(r, 404, "not_found")["detail"] for r in (patched, deleted, unknown)}
    assert len(bodies) == 1  # someone else's id and no id at all look the same
    assert await list_all(client, alice) == [subject]


async def test_a_malformed_id_is_a_422(client, alice):
    response = await client.delete(f"{SUBJECTS}/not-a-uuid", headers=alice.headers)
    assert_problem(response, 422, "validation_error")


async def test_a_token_of_a_user_the_planner_has_not_heard_of_yet_works(client, signing_key):
    """Auth's UserRegistered event may arrive after the user's first request."""
    newcomer = user_with_token(signing_key)
    await create_subject(client, newcomer, "First")
    assert len(await list_all(client, newcomer)) == 1
