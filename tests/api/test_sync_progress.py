"""The dashboard shows a running sync's progress as the worker writes it into the job's
meta: a first sync's ASIN lookups and submissions, done of total."""

from rq.job import Job

from channel import jobs


def test_the_dashboard_shows_the_first_syncs_progress(api, account_id, redis_client):
    job_id = jobs.enqueue_sync(redis_client, account_id, "connect")
    job = Job.fetch(job_id, connection=redis_client)
    job.meta.update({"step": "asin_lookup", "done": 4000, "total": 20000})
    job.save_meta()
    html = api.get(f"/fragments/dashboard?account_id={account_id}").get_data(as_text=True)
    assert '<progress max="20000" value="4000" aria-label="Sync progress">' in html
    assert "ASINs looked up 4000/20000" in html

    job.meta.update({"step": "publish", "done": 12500, "total": 15000})
    job.save_meta()
    html = api.get(f"/fragments/dashboard?account_id={account_id}").get_data(as_text=True)
    assert '<progress max="15000" value="12500"' in html and "Offers submitted 12500/15000" in html

    progress = api.get(f"/api/v1/jobs/{job_id}").get_json()
    assert (progress["step"], progress["done"], progress["total"]) == ("publish", 12500, 15000)
