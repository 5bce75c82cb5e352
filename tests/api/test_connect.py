"""Connect to Amazon: the consent URL per marketplace and region, and the callback's
state (signed, expiring, single-use) before any code reaches a job."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from rq import Queue

from channel import lwa_oauth
from channel.errors import InvalidInput
from channel.jobs import QUEUE

from .conftest import SECRET

START = {"name": "Main store", "marketplace_id": "ATVPDKIKX0DER", "website_id": 1,
         "application_id": "amzn1.sp.solution.test-app", "lwa_client_id": "amzn1.application-oa2-client.abc",
         "lwa_client_secret": "amzn1.oa2-cs.v1.PLANTED-SECRET", "redirect_uri": "https://shop.test/admin/amazon/connect"}


def _consent(api, **changes):
    resp = api.post("/api/v1/connect", json={**START, **changes})
    assert resp.status_code == 201, resp.get_json()
    url = urlsplit(resp.get_json()["consent_url"])
    return url, {k: v[0] for k, v in parse_qs(url.query).items()}


def test_connect_sends_the_merchant_to_seller_central_of_the_marketplace(api, redis_client):
    url, query = _consent(api)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://sellercentral.amazon.com/apps/authorize/consent"
    assert query["application_id"] == "amzn1.sp.solution.test-app"
    assert query["version"] == "beta" and query["redirect_uri"] == START["redirect_uri"]
    assert lwa_oauth.verify_state(SECRET, query["state"])  # signed with the bridge secret
    stored = b"".join(redis_client.get(k) for k in redis_client.keys("channel:connect:*"))
    assert b"PLANTED-SECRET" not in stored  # the client secret is kept encrypted
    url, query = _consent(api, marketplace_id="A1PA6795UKMFR9", beta=False)
    assert url.netloc == "sellercentral-europe.amazon.com" and "version" not in query
    url, _ = _consent(api, marketplace_id=None, region="fe")
    assert url.netloc == "sellercentral.amazon.co.jp"


@pytest.mark.parametrize("field, value", [("application_id", ""), ("region", "xx"), ("website_id", 999),
                                          ("lwa_client_secret", None), ("redirect_uri", "javascript:alert(1)")])
def test_bad_connect_bodies_are_refused_with_their_path(api, field, value):
    body = {**START, field: value}
    if field == "region":
        body.pop("marketplace_id")
    resp = api.post("/api/v1/connect", json=body)
    assert resp.status_code in (400, 422)
    assert resp.get_json()["error"]["details"]["path"] == field


def test_callback_enqueues_the_exchange_once_and_refuses_a_replay(api, redis_client):
    _, query = _consent(api)
    callback = (f"/fragments/onboarding?state={query['state']}&spapi_oauth_code=ANcode-PLANTED"
                f"&selling_partner_id=A2SELLER")
    page = api.get(callback)
    assert page.status_code == 200
    assert 'class="admin__fieldset channel-connect-status" data-job-id="' in page.get_data(as_text=True)
    jobs = Queue(QUEUE, connection=redis_client).jobs
    assert [j.func_name for j in jobs] == [lwa_oauth.CONNECT_JOB]
    assert "ANcode" not in repr(jobs[0].args)  # the job gets the nonce, the code stays encrypted in Redis
    replay = api.get(callback).get_data(as_text=True)
    assert "already used" in replay
    assert len(Queue(QUEUE, connection=redis_client).jobs) == 1


def test_callback_refuses_a_forged_or_expired_state(api, redis_client):
    _, query = _consent(api)
    payload, mac = query["state"].split(".")
    forged = api.get(f"/fragments/onboarding?state={payload}.{mac[:-2]}xx&spapi_oauth_code=AN1"
                     f"&selling_partner_id=A2").get_data(as_text=True)
    assert "did not start here" in forged
    old = lwa_oauth.sign_state(SECRET, "nonce", now=time.time() - lwa_oauth.STATE_TTL - 5)
    expired = api.get(f"/fragments/onboarding?state={old}&spapi_oauth_code=AN1&selling_partner_id=A2")
    assert "expired" in expired.get_data(as_text=True)
    assert Queue(QUEUE, connection=redis_client).jobs == []


def test_state_is_bound_to_the_secret_and_its_expiry():
    state = lwa_oauth.sign_state("one-secret", "n1", now=1000)
    assert lwa_oauth.verify_state("one-secret", state, now=1000 + lwa_oauth.STATE_TTL) == "n1"
    with pytest.raises(InvalidInput):
        lwa_oauth.verify_state("another-secret", state, now=1000)
    with pytest.raises(InvalidInput):
        lwa_oauth.verify_state("one-secret", state, now=1001 + lwa_oauth.STATE_TTL)
    with pytest.raises(InvalidInput):
        lwa_oauth.verify_state("one-secret", "not-a-state", now=1000)


def test_callback_by_another_admin_user_is_refused(api, redis_client):
    _, query = _consent(api)
    api.user = "someone-else"
    page = api.get(f"/fragments/onboarding?state={query['state']}&spapi_oauth_code=AN1&selling_partner_id=A2")
    assert "started by another admin user" in page.get_data(as_text=True)
    assert Queue(QUEUE, connection=redis_client).jobs == []
