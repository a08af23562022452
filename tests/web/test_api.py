"""The JSON API of the real `kbtool serve` over HTTP: shapes, filters, and every bad input.

Each bad input gets a JSON error with the right status and a message, never a 500 or a
traceback (the server's whole output is checked for one when it stops, in conftest), and the
server keeps serving.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import httpx
import pytest

from tests.site.conftest import TODAY
from tests.web.conftest import Kb, Server, raw_request

CLI_HIT_KEYS = ["id", "path", "title", "summary", "score", "snippet", "owner", "overdue"]


def cli_json(kb: Kb, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, *args, "--json"],
        cwd=kb.root,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def ids(answer: dict) -> list[str]:
    return [hit["id"] for hit in answer["results"]]


def test_search_shows_the_correction_and_each_hits_page(http: httpx.Client) -> None:
    answer = http.get("/api/search", params={"q": "pasword reset"}).json()
    assert answer["query"] == "pasword reset"
    assert answer["corrected_query"] == "password reset"
    first = answer["results"][0]
    assert first["id"] == "KB-0008"
    assert first["url"] == "procedures/accounts/password-reset/"
    assert list(first)[: len(CLI_HIT_KEYS)] == CLI_HIT_KEYS
    page = http.get("/" + first["url"])
    assert page.status_code == 200 and "Forgotten password reset" in page.text


def test_search_answer_is_kbtool_search_json_plus_the_url(web_kb: Kb, http: httpx.Client) -> None:
    """One code path: the API's answer is the CLI's, but for each hit's page on the site."""
    for query in ("pasword reset", "0x8004010F", "tunnel disconnects", "zzqqxx"):
        api = http.get("/api/search", params={"q": query}).json()
        cli = cli_json(web_kb, "search", *query.split())
        api_urls = [hit.pop("url") for hit in api["results"]]
        cli_urls = [hit.pop("url") for hit in cli["results"]]
        assert all(url and url.startswith("procedures/") for url in api_urls), api_urls
        assert set(cli_urls) <= {None}
        assert api == cli, query


def test_people_and_review_state_of_each_hit(http: httpx.Client) -> None:
    by_id = {
        hit["id"]: hit
        for hit in http.get(
            "/api/search", params={"q": "proxy tunnel archive", "limit": 20}
        ).json()["results"]
    }
    vpn = by_id["KB-0003"]  # the owner is away: the backup acts
    assert (vpn["owner"], vpn["recorded_owner"], vpn["acting_owner"]) == ("jdoe", "away", "jdoe")
    assert vpn["owner_away"] is True and vpn["owner_name"] == "Jane Doe"
    assert vpn["orphan_reason"] == "away until 2026-12-31"
    proxy = by_id["KB-0004"]  # owner gone, backup away: nobody
    assert proxy["owner_away"] is True and proxy["acting_owner"] is None
    archive = by_id["KB-0002"]
    assert archive["overdue"] is True and archive["review_status"] == "overdue"
    assert archive["owner_away"] is False and archive["acting_owner"] == "jdoe"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "printer toner fax jams", "service": "printing"}, {"KB-0005", "KB-0006"}),
        ({"q": "printer toner fax jams", "status": "draft"}, {"KB-0006"}),
        ({"q": "printer toner fax jams", "status": "RETIRED"}, {"KB-0007"}),
        ({"q": "printer toner fax jams", "retired": "true"}, {"KB-0005", "KB-0006", "KB-0007"}),
        ({"q": "caller error", "owner": "away"}, {"KB-0003"}),
        ({"q": "caller error", "audience": "l1", "service": "Network"}, {"KB-0003", "KB-0004"}),
        ({"q": "caller error", "tag": "desk", "limit": "1"}, None),
        ({"q": "caller error", "service": "No such service"}, set()),  # an answer: nothing
    ],
)
def test_filters(http: httpx.Client, params: dict, expected: set | None) -> None:
    response = http.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    found = set(ids(response.json()))
    if expected is None:
        assert len(found) == 1
    else:
        assert found == expected


def test_post_takes_a_tickets_whole_text(http: httpx.Client) -> None:
    ticket = (
        "Hello service desk,\n\nsince this morning my Outlook never gets past the Loading"
        " profile window, it just spins. I restarted twice.\nError 0x8004010F.\n\nThanks, Sam"
    )
    answer = http.post("/api/search", json={"q": ticket, "limit": 3}).json()
    assert ids(answer)[0] == "KB-0001"
    assert answer["results"][0]["exact"] is True
    assert len(answer["results"]) <= 3


def test_as_typed_turns_the_correction_off(http: httpx.Client) -> None:
    answer = http.get("/api/search", params={"q": "pasword reset", "as_typed": "1"}).json()
    assert answer["corrected_query"] is None


def test_did_you_mean_when_nothing_matched(http: httpx.Client) -> None:
    answer = http.get("/api/search", params={"q": "xassword"}).json()
    assert answer["results"] == [] and answer["did_you_mean"] == ["password"]


def test_a_retired_procedure_named_by_its_id(http: httpx.Client) -> None:
    answer = http.get("/api/search", params={"q": "KB-0007"}).json()
    assert ids(answer)[0] == "KB-0007" and answer["results"][0]["status"] == "retired"


def test_procedure_is_kbtool_show_json_plus_the_url(web_kb: Kb, http: httpx.Client) -> None:
    api = http.get("/api/procedures/kb-0003").json()
    assert api.pop("url") == "procedures/network/vpn-drops/"
    assert api == cli_json(web_kb, "show", "KB-0003")
    assert api["steps"] == ["Close the application.", "Start it again."]
    assert (api["owner"], api["backup"], api["acting_owner"]) == ("away", "jdoe", "jdoe")
    by_path = http.get("/api/procedures/network/vpn-drops.md").json()
    assert by_path["id"] == "KB-0003"


def test_health(web_kb: Kb, http: httpx.Client) -> None:
    response = http.get("/api/health")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["index"]["procedures"] == len(list((web_kb.root / "procedures").rglob("*.md")))
    assert health["index"]["generation"].startswith("g-")
    assert health["index"]["as_of"] == TODAY
    assert health["site"]["present"] is True
    built = dt.datetime.fromisoformat(health["site"]["built"])
    assert abs((dt.datetime.now(dt.UTC) - built).total_seconds()) < 3600


def test_openapi_document_matches_what_the_api_accepts(http: httpx.Client) -> None:
    from kbtool.web.search_routes import SEARCH_PARAMS

    document = http.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/search",
        "/api/procedures/{id}",
        "/api/health",
        "/api/events",
        "/api/openapi.json",
    }
    schemas = document["components"]["schemas"]
    assert set(http.get("/api/events").json()) == set(schemas["EventsStatus"]["properties"]) - {
        "accepted"
    }
    assert set(http.get("/api/health").json()["events"]) <= set(
        schemas["EventsStatus"]["properties"]
    )
    from kbtool.events.model import _FIELDS

    every_field = set().union(*_FIELDS.values()) | {"type"}
    assert set(schemas["Event"]["properties"]) == every_field
    search = document["paths"]["/api/search"]
    names = [p["name"] for p in search["get"]["parameters"]]
    assert names == [p.name for p in SEARCH_PARAMS.params]
    body = search["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == names
    # Every documented parameter is accepted, and a real answer has the documented keys.
    answer = http.get("/api/search", params={"q": "printer", "limit": 5, "retired": "false"})
    assert answer.status_code == 200
    hit_schema = document["components"]["schemas"]["Hit"]
    for hit in answer.json()["results"]:
        assert set(hit) == set(hit_schema["properties"])
    procedure = http.get("/api/procedures/KB-0001").json()
    assert set(procedure) == set(document["components"]["schemas"]["Procedure"]["properties"])


LONG = "outlook " * 12_500  # 100,000 characters

BAD_GETS = [
    ("/api/search", 400, "q is required"),
    ("/api/search?q=", 400, "q is empty"),
    ("/api/search?q=%20%20%09", 400, "q is empty"),
    ("/api/search?q=x&limit=-1", 400, "limit must be between 1 and 100"),
    ("/api/search?q=x&limit=0", 400, "limit must be between 1 and 100"),
    ("/api/search?q=x&limit=99999999999999999999", 400, "limit must be between"),
    ("/api/search?q=x&limit=ten", 400, "limit must be a whole number"),
    ("/api/search?q=x&audience=L9", 400, "audience='L9' is not one of: L1, L2, L3"),
    ("/api/search?q=x&status=gone", 400, "is not one of: draft, published, retired"),
    ("/api/search?q=x&retired=maybe", 400, "retired must be true or false"),
    ("/api/search?q=x&colour=red", 400, "unknown parameter 'colour'"),
    ("/api/search?q=x&q=y", 400, "q is given twice"),
    ("/api/search?q=x&=y", 400, "a value without a parameter name"),
    ("/api/search?=&&&=", 400, "q is required"),
    ("/api/search?q=%ff%fe", 400, "not valid UTF-8"),
    ("/api/search?q=caf%C3", 400, "not valid UTF-8"),
    ("/api/search?q=x&service=a%00b", 400, "service holds control characters"),
    ("/api/search?q=x&service=" + "s" * 300, 400, "service is too long"),
    ("/api/procedures/KB-9999", 404, "no procedure with id or path 'KB-9999'"),
    ("/api/procedures/..%2F..%2Fetc%2Fpasswd", 404, "no procedure"),
    ("/api/procedures/KB%00", 400, "control characters"),
    ("/api/procedures/" + "K" * 400, 400, "1 to 300 characters"),
    ("/api/procedures/%ff", 400, "invalid UTF-8"),
    ("/api/nothing/here", 404, "no endpoint /api/nothing/here"),
    # Endpoints without parameters refuse one rather than ignore it without a word.
    ("/api/procedures/KB-0001?format=md", 400, "unknown parameter 'format'"),
    ("/api/events?since=2026-01-01", 400, "GET /api/events takes no parameters"),
    ("/api/openapi.json?v=3", 400, "unknown parameter 'v'"),
]


def test_health_answers_whatever_the_query_string(http: httpx.Client) -> None:
    # A load balancer's probe with a cache-buster must not take the server out of service.
    response = http.get("/api/health?ts=1764700000")
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.parametrize("target", ["/api/search?q=printer", "/api/events?type=search"])
def test_a_post_with_a_query_string_is_refused(http: httpx.Client, target: str) -> None:
    # POST reads the JSON body only: the query string's parameters would be dropped silently.
    body = {"q": "vpn"} if "search" in target else {"type": "page_view", "procedure": "KB-0001"}
    response = http.post(target, json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert "in the query string: POST" in answer["message"]
    assert "takes its parameters in the JSON body" in answer["message"]
    assert answer["parameter"] in ("q", "type")


@pytest.mark.parametrize(("target", "status", "message"), BAD_GETS)
def test_bad_get(http: httpx.Client, target: str, status: int, message: str) -> None:
    response = http.get(target)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and message in body["message"], body
    assert http.get("/api/health").status_code == 200  # still serving


@pytest.mark.parametrize("length", [9_000, 100_000])
def test_overlong_get_is_414(server: Server, http: httpx.Client, length: int) -> None:
    response = raw_request(server, "/api/search?q=" + ("outlook+" * length)[:length])
    assert response.status == 414
    assert "longer than 8192 bytes" in response.json()["message"]
    assert http.get("/api/health").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "--total-shards",
        '"Loading profile",',
        'outlook AND (profile OR "x") NOT *',
        "a:b title:outlook ~2 ^3 [1 TO 5] {x}",
        "\\ / ? * ' ` | & ; $ %",
        "<script>alert(1)</script>",
        "%zz%",  # not percent-encoding: searched as typed
        "a\x00b\x07c",  # control characters are blanked by the search
        "😀 ÷ ẞ Ω",
    ],
)
def test_query_syntax_is_just_text(http: httpx.Client, query: str) -> None:
    response = http.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        (b"{not json", {}, 400, "not valid JSON"),
        (b"[1, 2]", {}, 400, "must be a JSON object"),
        (b'{"q": 5}', {}, 400, "q must be a string"),
        (b'{"q": "x", "limit": "5"}', {}, 200, None),  # a number as text is a number
        (b'{"q": "x", "limit": true}', {}, 400, "limit must be a whole number"),
        (b'{"q": "x", "limit": 101}', {}, 400, "limit must be between 1 and 100"),
        (b'{"q": "x", "extra": 1}', {}, 400, "unknown parameter 'extra'"),
        (b'{"q": "\xff\xfe"}', {}, 400, "not valid UTF-8"),
        # What json.loads accepts or raises besides JSONDecodeError: 400s, not 500s.
        (b'{"q": "vpn \\ud800"}', {}, 400, "lone surrogate"),
        (b'{"\\udcff": "x"}', {}, 400, "lone surrogate"),
        (b'{"q": "x", "limit": ' + b"9" * 5000 + b"}", {}, 400, "too many digits"),
        (b'{"q": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", {}, 400, "nested too deeply"),
        (b'{"q": "x"}', {"content-type": "text/plain"}, 415, "application/json"),
        (json.dumps({"q": LONG}).encode(), {}, 413, "larger than 65536 bytes"),
        (b'{"q": "' + b"word " * 6000 + b'"}', {}, 200, None),  # long, under the cap: cut
    ],
)
def test_bad_post(
    http: httpx.Client, content: bytes, headers: dict, status: int, message: str | None
) -> None:
    sent = {"content-type": "application/json", **headers}
    response = http.post("/api/search", content=content, headers=sent)
    assert response.status_code == status, response.text
    if message is not None:
        assert message in response.json()["message"]


def test_oversized_body_without_a_length_is_refused_too(http: httpx.Client) -> None:
    def chunks():  # noqa: ANN202 - chunked transfer: no Content-Length to refuse it early
        yield b'{"q": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    response = http.post(
        "/api/search", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "target", "allowed"),
    [
        ("DELETE", "/api/search", "GET, HEAD, POST"),
        ("PUT", "/api/procedures/KB-0001", "GET, HEAD"),
        ("POST", "/", "GET, HEAD"),
        ("PATCH", "/api/health", "GET, HEAD"),
        # Methods the catch-all of /api/ takes too: not "no endpoint" for an endpoint.
        ("POST", "/api/health", "GET, HEAD"),
        ("POST", "/api/procedures/KB-0001", "GET, HEAD"),
        ("POST", "/api/openapi.json", "GET, HEAD"),
        ("OPTIONS", "/api/events", "GET, HEAD, POST"),
    ],
)
def test_wrong_method(http: httpx.Client, method: str, target: str, allowed: str) -> None:
    response = http.request(method, target)
    assert response.status_code == 405, response.text
    assert response.json()["status"] == 405
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_no_such_endpoint_whatever_the_method(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/api/nope")
    assert response.status_code == 404 and "no endpoint /api/nope" in response.json()["message"]


def test_long_query_is_cut_and_said(http: httpx.Client) -> None:
    answer = http.post("/api/search", json={"q": "outlook " * 2000}).json()
    assert any("cut" in note for note in answer["notes"])
    assert ids(answer)[0] == "KB-0001"
