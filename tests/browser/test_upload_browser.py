"""A person uploads a police.uk file on the Data page, reads the check, and keeps it for the session."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import open_app
from tests.conftest import street_csv

ROW = (
    ",{month},Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)


def test_upload_check_and_keep_for_session(page, sample_server, tmp_path):
    new_month = tmp_path / "2021-01-cumbria-street.csv"
    new_month.write_text(street_csv(ROW.format(month="2021-01"), ROW.format(month="2021-13")), encoding="utf-8")
    open_app(page, sample_server, "data")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(new_month))

    expect(page.get_by_text("2 rows read = 1 accepted + 1 rejected (listed below).")).to_be_visible(timeout=60_000)
    expect(
        page.get_by_text(re.compile(r"will be saved as incidents/uploads/2021-01-cumbria-street\.csv"))
    ).to_be_visible()
    page.get_by_role("button", name="Keep for this session").click()

    expect(page.get_by_text("This session also uses 1 uploaded file(s)")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("In use this session (not saved).")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_role("button", name="Stop using the uploaded files").click()
    expect(page.get_by_text("This session also uses 1 uploaded file(s)")).to_have_count(0, timeout=60_000)
