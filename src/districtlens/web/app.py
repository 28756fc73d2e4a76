"""The web application: FastAPI serving server-rendered pages and a JSON API over one store.

`create_app(db_path)` opens the store read-write and owns that one connection for as long as it
serves (see state.py); commands from the command line reach it through /internal/commands (web/commands.py).

A request that came over HTTPS (TLS served by uvicorn, or a proxy's X-Forwarded-Proto, which
uvicorn honours only with `serve --behind-proxy`) gets `Secure` cookies and HSTS.
"""

from __future__ import annotations

import math
import secrets
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from districtlens.commands import load_all
from districtlens.commands.handover import remove_handover, write_handover
from districtlens.errors import DistrictlensError, Forbidden, SignInRequired, TooManyAttempts
from districtlens.web import api, auth, capabilities, commands, pages, planning, reading
from districtlens.web.deps import LoginRequired, check_form, language, session
from districtlens.web.i18n import Formatter
from districtlens.web.problems import validation_message
from districtlens.web.render import render
from districtlens.web.state import ServerState

STATIC = Path(__file__).resolve().parent / "static"

# Everything from this origin: no CDN, no inline script (data for charts travels in JSON blocks).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/>'
    '<path d="M3 12V7h2v5zm4 0V4h2v8zm4 0V9h2v3z" fill="#fff"/></svg>'
)


def create_app(db_path: Path, *, handover_port: int | None = None, handover_tls: bool = False) -> FastAPI:
    """The app over the store at `db_path`. With `handover_port` (the port it will listen on, over
    TLS with `handover_tls`), it writes the handover file while it runs, so that CLI writes reach
    it (handover.py)."""
    load_all()
    server = ServerState(db_path, first_views=api.first_views)
    token = secrets.token_urlsafe(32)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if handover_port is not None:
            write_handover(server.path, handover_port, token, tls=handover_tls)
        try:
            yield
        finally:
            if handover_port is not None:
                remove_handover(server.path)
            server.close()

    app = FastAPI(
        lifespan=lifespan,
        title="districtlens",
        summary="A district's innovation economy: enterprises, industries, chains, carriers, claims.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.server = server
    app.state.sessions = auth.Sessions()
    app.state.limiter = auth.LoginLimiter()
    app.state.handover_token = token

    def login(request: Request, username: str, password: str) -> auth.Principal:
        """Check a sign-in (argon2: tens of milliseconds of CPU): call it on a worker thread."""
        # The peer's address: a proxy's X-Forwarded-For only replaces it with `serve --behind-proxy`.
        address = request.client.host if request.client else "?"
        limiter: auth.LoginLimiter = app.state.limiter
        wait = limiter.retry_after(username, address)
        if wait is not None:
            raise TooManyAttempts("web.sign_in.too_many", retry_after=math.ceil(wait))
        with server.reader() as store:
            who = auth.authenticate(store, username, password)
        if who is None:
            limiter.failed(username, address)
            raise SignInRequired("web.sign_in.wrong")
        limiter.succeeded(username, address)
        return who

    def set_session_cookie(request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            auth.SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            max_age=auth.SESSION_SECONDS,
            path="/",
            secure=request.url.scheme == "https",
        )

    app.state.login = login
    app.state.set_session_cookie = set_session_cookie

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/internal/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(
            request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=str(exc.detail)
        )

    @app.exception_handler(DistrictlensError)
    async def refused(request: Request, exc: DistrictlensError):
        """Every refusal of the product, once: a 4xx with its message in the user's language."""
        lang = language(request)
        if request.url.path.startswith("/api/") or request.url.path.startswith("/internal/"):
            return JSONResponse(
                {"detail": exc.message(lang), "error": exc.as_json(lang)},
                status_code=exc.http_status,
                headers=exc.http_headers(),
            )
        page = render(
            request, "error.html", status_code=exc.http_status, status=exc.http_status, detail=exc.message(lang)
        )
        page.headers.update(exc.http_headers())
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        fmt = Formatter(language(request))
        if request.url.path.startswith("/api/"):
            problems = [{"loc": list(e.get("loc", ())), "msg": validation_message(e, fmt)} for e in exc.errors()]
            return JSONResponse({"detail": problems}, status_code=422)
        return render(
            request,
            "error.html",
            status_code=422,
            status=422,
            detail="; ".join(validation_message(e, fmt) for e in exc.errors()),
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(capabilities.router)
    app.include_router(planning.router)
    app.include_router(reading.router)
    app.include_router(commands.router)

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request):
        return render(request, "docs.html", bare=True)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    @app.get("/login", include_in_schema=False, response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        token = request.cookies.get(auth.CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = render(request, "login.html", login_csrf=token, next=_safe_next(next), error=None)
        response.set_cookie(
            auth.CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            path="/login",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/login", include_in_schema=False)
    async def login_submit(request: Request):
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        next_path = _safe_next(str(form.get("next", "/")))
        cookie = request.cookies.get(auth.CSRF_COOKIE)
        if not auth.same_token(cookie, str(form.get("csrf_token", ""))):
            raise Forbidden("web.sign_in_form_expired")
        try:
            who = await run_in_threadpool(login, request, username, password)
        except (SignInRequired, TooManyAttempts) as exc:
            refused = render(
                request,
                "login.html",
                status_code=exc.http_status,
                login_csrf=cookie,
                next=next_path,
                error=exc.message(language(request)),
            )
            refused.headers.update(exc.http_headers())
            return refused
        # The language the sign-in page was shown in (its form posts to /login?lang=) stays the
        # session's, and the cookie's: a refused sign-in is answered in it too.
        current_lang = language(request)
        token = app.state.sessions.create(who, current_lang)
        response = RedirectResponse(next_path, status_code=303)
        set_session_cookie(request, response, token)
        response.set_cookie(
            auth.LANG_COOKIE, current_lang, httponly=True, samesite="lax", max_age=365 * 86400, path="/"
        )
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout_submit(request: Request):
        await check_form(request)
        app.state.sessions.end(request.cookies.get(auth.SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    @app.post("/lang", include_in_schema=False)
    async def set_language(request: Request):
        form = await check_form(request)
        lang = str(form.get("lang", ""))
        current = session(request)
        if current is not None and lang in ("zh", "en", "fr"):
            current.lang = lang
        response = RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)
        if lang in ("zh", "en", "fr"):
            response.set_cookie(
                auth.LANG_COOKIE,
                lang,
                httponly=True,
                samesite="lax",
                max_age=365 * 86400,
                path="/",
                secure=request.url.scheme == "https",
            )
        return response

    return app


class SecurityHeaders:
    """Headers on every response (a plain ASGI middleware: cheaper than BaseHTTPMiddleware); over
    HTTPS also HSTS, which a browser would ignore over plain HTTP anyway."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        extra = [self.HSTS] if scope.get("scheme") == "https" else []

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.HEADERS + extra
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def _safe_next(path: str) -> str:
    """Only a path of this site (no scheme, no other host) may follow a sign-in."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
