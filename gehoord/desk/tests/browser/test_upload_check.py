"""A file too large or of the wrong type is refused in the browser, before anything is sent, with
the reason beside the input, in the reader's language; the server's own check stays (tested in
gehoord/complaints/tests/test_attachments.py)."""

import pytest
from playwright.sync_api import expect

from gehoord.desk.tests.browser.support import by_label, label, photo, seed_organisation, tr
from gehoord.portal.forms import ComplaintForm



@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_file_too_large_or_of_the_wrong_type_never_leaves_the_browser(browse, screenshot, settings, lang):
    # A limit of 1 MB: handing the browser a file past the real 25 MB takes long on a busy machine.
    settings.GEHOORD_MAX_UPLOAD_BYTES = 2**20
    seed_organisation("vxhome")
    carol = browse(lang)
    carol.goto("/o/vxhome/klacht/")
    posts = []
    carol.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    files = by_label(carol, label(lang, ComplaintForm, "attachments"))

    files.set_input_files([
        {"name": "video.mp4", "mimeType": "video/mp4", "buffer": b"\0" * (2**20 + 1)},
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not evidence"},
    ])

    problems = carol.get_by_role("alert")
    limit = settings.GEHOORD_MAX_UPLOAD_BYTES // 2**20
    expect(problems).to_contain_text(
        tr(lang, "%(name)s: the file is %(size)s MB; the limit is %(limit)d MB", name="video.mp4", size=limit + 1, limit=limit)
    )
    expect(problems).to_contain_text(tr(
        lang, "%(name)s: this type of file is not accepted; send a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a PDF",
        name="notes.txt",
    ))
    expect(files).to_have_attribute("aria-invalid", "true")
    screenshot(carol, "portal-upload-refused-in-browser")

    carol.get_by_role("button", name=tr(lang, "Send complaint"), exact=True).click()
    carol.wait_for_timeout(300)
    assert posts == []  # nothing was sent

    files.set_input_files(photo())  # a proper photo clears the refusal
    expect(carol.get_by_role("alert")).to_have_count(0)
    expect(files).not_to_have_attribute("aria-invalid", "true")
