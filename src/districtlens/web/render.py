"""Rendering a page: the Jinja environment (autoescaped: a name with markup shows as text) and the
context every page gets: the user, the language, formatting, the CSRF token, the navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from districtlens.i18n import t
from districtlens.web import auth
from districtlens.web.charts import chart_csv
from districtlens.web.deps import language, session
from districtlens.web.i18n import LANGUAGE_NAMES, LANGUAGES, Formatter

templates = Environment(
    loader=PackageLoader("districtlens.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals["chart_csv"] = chart_csv

# (path, message id, permission needed to see the page)
NAVIGATION = (
    ("/", "Overview", "aggregate"),
    ("/industries", "Industries", "aggregate"),
    ("/map", "Map", "aggregate"),
    ("/chains", "Chains", "aggregate"),
    ("/targets", "Targets", "targets"),
    ("/leads", "Leads", "aggregate"),
    ("/scenario", "Scenario", "targets"),
    ("/carriers", "Carriers", "aggregate"),
    ("/space", "Space", "aggregate"),
    ("/pipeline", "Pipeline", "aggregate"),
    ("/programmes", "Programmes", "aggregate"),
    ("/enterprises", "Enterprises", "enterprise"),
    ("/claims", "Claims", "aggregate"),
    ("/briefings", "Briefings", "targets"),
    ("/reading", "Reading", "data"),
    ("/data", "Data", "data"),
)

HTML_LANG = {"zh": "zh-CN", "en": "en", "fr": "fr"}


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    fmt = Formatter(lang)
    current = session(request)
    who = current.principal if current else None
    nav = [(path, label) for path, label, permission in NAVIGATION if who and who.may(permission)]
    html = templates.get_template(name).render(
        request_path=request.url.path,
        request_query=str(request.url.query),
        lang=lang,
        html_lang=HTML_LANG[lang],
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        fmt=fmt,
        _=fmt.gettext,
        say=lambda key, **values: t(key, lang, **values),  # a keyed message in the page's language
        who=who,
        csrf=current.csrf if current else None,
        nav=nav,
        roles=auth.ROLES,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
