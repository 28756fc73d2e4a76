"""The reading page: upload or paste a text, see what it names and states, and decide on the
claims it proposes (the review queue). Analysts and administrators only (the "data" permission):
reading writes proposals, and accepting writes claims, each a ledger entry."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from districtlens.commands import Context
from districtlens.commands import claims as claim_commands
from districtlens.commands import reading as reading_commands
from districtlens.errors import DistrictlensError, Forbidden, NotFound
from districtlens.web import auth, labels
from districtlens.web.deps import LoginRequired, check_form, language, run_write, session, state
from districtlens.web.i18n import Formatter
from districtlens.web.render import render
from districtlens.web.state import ServerState
from districtlens.web.tables import Column, Table, export_response

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
MAX_UPLOAD = 20 * 1024 * 1024  # a policy text with its figures, not a library


def _analyst(request: Request) -> auth.Principal:
    current = session(request)
    if current is None:
        raise LoginRequired(request.url.path)
    if not current.principal.may("data"):
        raise Forbidden("web.forbidden.page", role={"key": current.principal.role})
    return current.principal


Analyst = Annotated[auth.Principal, Depends(_analyst)]
State = Annotated[ServerState, Depends(state)]


def _queue(server: ServerState, who: auth.Principal) -> list[dict[str, Any]]:
    with server.reader() as store:
        queue = claim_commands.review_proposals(
            Context(store=store, actor=who.username), claim_commands.ReviewProposals()
        )
    return [p.model_dump() for p in queue.proposals]


QUEUE_COLUMNS = (
    Column("quote", "Statement", lang_key="language"),
    Column("document", "Document"),
    Column("figure_text", "Figure"),
    Column("query_kind", "Query", translate=True),
    Column("decisions", "Decision", "actions", exported=False),
)
FIRM_COLUMNS = (
    Column("text", "Firm named", lang_key="language"),
    Column("registered", "Registered name", lang_key="name_lang"),
    Column("confidence", "Confidence", "decimal"),
)


def _page(request: Request, server: ServerState, who: auth.Principal, result: dict | None, **context: Any):
    """The page: the text just read (a form's answer), and the review queue."""
    fmt = Formatter(language(request))
    rows = [
        dict(
            p,
            figure_text=p["figure"].get("text"),
            query_kind=p["query"]["kind"] if p["query"] else "statement of intent",
            decisions=[(f"/reading/{p['id']}/accept", "Accept"), (f"/reading/{p['id']}/reject", "Reject")],
        )
        for p in _queue(server, who)
    ]
    queue = Table(request, "queue", QUEUE_COLUMNS, rows, fmt, testid="review-queue", path="/reading")
    exported = export_response(request, queue, name="reading")
    if exported is not None:
        return exported
    firms = None
    if result is not None:
        several = fmt.gettext("to review: several firms bear this name")
        firm_rows = [
            dict(
                f,
                language=result["language"],
                name_lang=labels.name_lang(f["name"]),
                registered=f["name"] or (several if f["review"] else "–"),
            )
            for f in result["firms"]
        ]
        firms = Table(request, "read-firms", FIRM_COLUMNS, firm_rows, fmt, answer=True)
    return render(request, "reading.html", queue=queue, firms=firms, result=result, **context)


@router.get("/reading")
def reading_page(request: Request, who: Analyst, server: State):
    return _page(request, server, who, result=None, error=None)


def _warm(server: ServerState) -> None:
    """Build the gazetteer on a read snapshot, before the write: its first build takes seconds,
    which other writes should not wait for behind the write lock."""
    from districtlens.reading.mentions import gazetteer

    with server.reader() as store:
        gazetteer(store)


@router.post("/reading")
async def read_text(request: Request, who: Analyst, server: State):
    form = await check_form(request)
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_UPLOAD + 1)
        args = reading_commands.ReadFile(
            name=upload.filename, content_base64=base64.b64encode(data[:MAX_UPLOAD]).decode("ascii")
        )
    else:
        args = reading_commands.ReadFile(text=str(form.get("text") or ""), name=str(form.get("name") or "") or None)
    try:
        await run_in_threadpool(_warm, server)
        result = await run_in_threadpool(run_write, server, reading_commands.read_file, args, who.username)
    except DistrictlensError as exc:
        return _page(request, server, who, result=None, error=exc.message(language(request)))
    return _page(request, server, who, result=result.model_dump(), error=None)


@router.post("/reading/{proposal_id}/{decision}")
async def decide(request: Request, proposal_id: str, decision: str, who: Analyst, server: State):
    await check_form(request)
    commands = {"accept": claim_commands.accept_proposal, "reject": claim_commands.reject_proposal}
    if decision not in commands:
        raise NotFound("web.unknown_decision", decision=decision[:40])
    args = claim_commands.DecideProposal(id=proposal_id)
    try:
        await run_in_threadpool(run_write, server, commands[decision], args, who.username)
    except DistrictlensError as exc:
        return _page(request, server, who, result=None, error=exc.message(language(request)))
    return RedirectResponse("/reading", status_code=303)
