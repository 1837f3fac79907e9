"""`/c/<client-id>/upload`: a client user sends the firm documents, the portal's one write.

Only a logged-in client user of that client reaches it (staff and everyone else: 404, as for
a client that does not exist). A post must come from the portal's own page: the session's
CSRF token in the form and no foreign `Origin`. Its size is bounded before it is read
(`MAX_REQUEST_BYTES` in all, `MAX_FILES` files, small fields); each file is taken in by
`jobs/uploading.py` (typed by content, identified, named safely) and every accepted or refused
file is a line of the audit log. Nothing uploaded is ever served back: the page lists the
names of the client's own waiting files, and no route reads the inbox.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from beanfirm.core.translation import Words, language_tag
from beanfirm.errors import BeanfirmError
from beanfirm.jobs.uploading import MAX_FILE_BYTES, MAX_FILES, Received, receive_upload
from beanfirm.portal import audit
from beanfirm.portal.forward import PREFIX, decoded_path, split_client
from beanfirm.portal.language import error_for, words_for
from beanfirm.portal.render import page
from beanfirm.portal.sessions import same_origin, token_matches
from beanfirm.store.practice import Practice
from beanfirm.store.requests import open_requests
from beanfirm.store.uploads import waiting

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.portal.site import Identity, Portal
    from beanfirm.store.registry import Client

UPLOAD_PATH = "/upload"
MAX_REQUEST_BYTES = 64 * 1024 * 1024
MAX_FIELD_BYTES = 500_000  # werkzeug's default: its parser buffers up to this much of any part
MAX_PARTS = MAX_FILES + 8


def upload_client(request: Request) -> str | None:
    """Return the client id when a request is for a client's upload page, else None."""
    path = decoded_path(request)
    parts = split_client(path) if path is not None else None
    if parts is None or parts[1] != UPLOAD_PATH:
        return None
    return parts[0]


def upload(portal: Portal, request: Request, identity: Identity | None, client_id: str) -> Response:
    """Show the upload page (GET, HEAD) or take the files posted to it (POST)."""
    path = f"{PREFIX}{client_id}{UPLOAD_PATH}"
    # The client's language, before login the browser's (a client the user may not see: theirs).
    t = words_for(portal, request, identity, client_id)
    if identity is None:
        if request.method in {"GET", "HEAD"}:
            return Response(status=302, headers={"Location": f"/login?next={quote(path)}"})
        return error_for(portal, t, 401, t("Log in first."))
    email, address = identity.user.email, request.remote_addr

    def refused(status: int) -> Response:
        """Refuse what is no upload page for this user (the portal's own error page)."""
        audit.record(
            portal.store,
            "refused",
            email=email,
            client_id=client_id,
            path=path,
            status=status,
            address=address,
        )
        return error_for(portal, t, status)

    if identity.user.kind != "client" or not portal.may_see(identity.user, client_id):
        return refused(404)
    if request.method in {"GET", "HEAD"}:
        audit.record(
            portal.store,
            "view",
            email=email,
            client_id=client_id,
            path=path,
            status=200,
            address=address,
        )
        return _page(portal, identity, client_id)
    if request.method != "POST":
        response = refused(405)
        response.headers["Allow"] = "GET, HEAD, POST"
        return response

    def said(status: int, message: str) -> Response:
        """Refuse a post on the upload page itself, in the client's language."""
        audit.record(
            portal.store,
            "refused",
            email=email,
            client_id=client_id,
            path=path,
            status=status,
            address=address,
        )
        return _page(portal, identity, client_id, message=message, status=status)

    if not same_origin(request):
        return said(400, t("The form came from another site. Send the files again from here."))
    return _take(portal, request, identity, client_id, said)


def _take(
    portal: Portal,
    request: Request,
    identity: Identity,
    client_id: str,
    said: Callable[[int, str], Response],
) -> Response:
    """Read the bounded form, check its CSRF token and request, and take each file."""
    email, address, path = identity.user.email, request.remote_addr, request.path
    t = Words(portal.registry().client(client_id).language)
    request.max_content_length = MAX_REQUEST_BYTES
    request.max_form_memory_size = MAX_FIELD_BYTES
    request.max_form_parts = MAX_PARTS
    try:
        form, files = request.form, request.files.getlist("file")
    except RequestEntityTooLarge:
        mb = MAX_REQUEST_BYTES // (1024 * 1024)
        return said(
            413, t("At most {mb} MB can be sent at once. Send fewer files at a time.", mb=mb)
        )
    if not token_matches(form.get("csrf", ""), identity.session.csrf):
        return said(400, t("The upload form had expired. Send the files again from here."))
    files = [f for f in files if f.filename]
    if not files:
        return said(400, t("Choose at least one file to send."))
    if len(files) > MAX_FILES:
        return said(400, t("At most {count} files can be sent at once.", count=MAX_FILES))
    practice = Practice(root=portal.root, registry=portal.registry())
    answered = _answered(practice, client_id, form.get("request", ""))
    if answered is False:
        return said(400, t("That request is not open any more. Send the files again from here."))
    client = practice.registry.client(client_id)
    now = datetime.datetime.now(tz=datetime.UTC)
    results: list[Received] = []
    for file in files:
        sent = file.filename or ""
        try:
            received = receive_upload(
                practice, client, sent, file.stream, by=email, request=answered or None, now=now
            )
        finally:
            file.close()
        results.append(received)
        kept = received.upload
        audit.record(
            portal.store,
            "upload" if kept else "upload-refused",
            email=email,
            client_id=client_id,
            path=kept.relpath(client_id) if kept else f"{path}: {received.refusal}",
            status=200 if kept else 400,
            address=address,
        )
    status = 200 if any(r.upload for r in results) else 400
    return _page(portal, identity, client_id, results=results, status=status)


def _answered(practice: Practice, client_id: str, text: str) -> int | bool:
    """Return the open request a post answers (0: none), or False if it names no open one."""
    if not text:
        return 0
    try:
        wanted = int(text)
    except ValueError:
        return False
    open_ids = {r.id for r in open_requests(practice, client_id)}
    return wanted if wanted in open_ids else False


def _page(
    portal: Portal,
    identity: Identity,
    client_id: str,
    *,
    results: list[Received] | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    registry = portal.registry()
    client: Client = registry.client(client_id)
    practice = Practice(root=portal.root, registry=registry)
    t = Words(client.language)
    try:
        requests = open_requests(practice, client_id)
    except BeanfirmError:
        requests = []  # a requests file being edited: the upload still works
    return page(
        "upload.html",
        status=status,
        title=t("Send documents"),
        identity=identity,
        client=client,
        firm=registry.firm.name,
        t=t,
        lang=language_tag(client.language),
        requests=requests,
        results=results or [],
        message=message,
        waiting=list(reversed(waiting(portal.root, client_id))),
        max_files=MAX_FILES,
        max_mb=MAX_FILE_BYTES // (1024 * 1024),
        today=datetime.date.today(),  # noqa: DTZ011 - the firm's day
    )
