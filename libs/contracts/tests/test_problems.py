import pytest
from pydantic import ValidationError

from schediora_contracts import Problem


def test_problem_body_leaves_out_absent_members():
    body = Problem(title="Conflict", status=409, code="email_taken").body()
    assert body == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "code": "email_taken",
    }


@pytest.mark.parametrize("code", ["Email Taken", "", "email-taken"])
def test_problem_code_is_a_stable_snake_case_token(code):
    with pytest.raises(ValidationError):
        Problem(title="Conflict", status=409, code=code)


def test_problem_status_is_an_error_status():
    with pytest.raises(ValidationError):
        Problem(title="OK", status=200, code="ok")
