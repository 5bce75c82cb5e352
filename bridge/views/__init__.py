"""The admin pages: HTML fragments for the Magento module, the same wrapped standalone.

``/fragments/<view>`` returns the fragment the module embeds in Magento's admin layout;
``/ui/<view>`` wraps the very same fragment in a page for the standalone demo. Links
and API calls inside a fragment go through ``link()`` and ``api()``, which honour the
module's ``X-Channel-Link-Base`` / ``X-Channel-Api-Base`` so they pass back through
Magento's controllers with their URL keys; those headers are not signed, so only an
http(s) URL or a path is taken from them.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, abort, g, render_template, request
from markupsafe import Markup

bp = Blueprint("admin", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/static")

VIEWS = ("overview", "dashboard", "listings", "accounts", "onboarding", "orders", "order", "log", "history",
         "product", "search")


def link(view: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    target = f"/fragments/{view}" + (("?" + urlencode(params)) if params else "")
    if g.get("standalone"):
        return target.replace("/fragments/", "/ui/", 1)
    base = _header_url("X-Channel-Link-Base")
    return base.replace("__PATH__", quote(target, safe="")) if base and "__PATH__" in base else target


def _header_url(name: str) -> str | None:
    """A URL the module passes in a header (not signed): only http(s) or a path, never ``javascript:``."""
    from bridge.security import safe_url

    return safe_url(request.headers.get(name))


def api_link(path: str, **params) -> str:
    """A URL for a GET on the API (CSV export): direct standalone, through the module otherwise."""
    params = {k: v for k, v in params.items() if v not in (None, "")}
    target = path + (("?" + urlencode(params)) if params else "")
    base = api_base()
    return base.replace("__PATH__", quote(target, safe="")) if "__PATH__" in base else base + target


def api_base() -> str:
    if g.get("standalone"):
        return ""
    return _header_url("X-Channel-Api-Base") or ""


@bp.app_context_processor
def helpers():
    from bridge import page_help

    return {"link": link, "api_base": api_base, "api_link": api_link, "connect_callback": connect_callback,
            "form_key": request.headers.get("X-Channel-Form-Key", ""), "help_pages": page_help.PAGES,
            "help_tabs": page_help.TABS}


def connect_callback() -> str:
    """Amazon's redirect URI inside Magento (the module's callback action), or "" standalone."""
    if g.get("standalone"):
        return ""
    return _header_url("X-Channel-Connect-Callback") or ""


def _render(view: str, standalone: bool):
    if view not in VIEWS:
        abort(404)
    from bridge.views import pages

    context = getattr(pages, view)()
    fragment = Markup(render_template(f"{view}.html", **context))  # rendered with autoescaping above
    about = Markup(render_template("page_help.html", **{**context, "view": view}))  # what it means, what to do
    fragment = Markup(render_template("search_box.html")) + about + fragment  # search from every page
    if standalone:
        return render_template("standalone.html", fragment=fragment, view=view, **context)
    # Inside Magento the script travels with the fragment: one copy, served by the bridge.
    return fragment + Markup("<script>") + Markup(_script()) + Markup("</script>")


def _script() -> str:
    from pathlib import Path

    static = Path(__file__).resolve().parents[1] / "static"
    return "\n".join((static / name).read_text() for name in ("channel.js", "rule_builder.js"))


@bp.get("/fragments/<view>")
def fragment(view):
    return _render(view, standalone=False)


@bp.get("/ui/<view>")
def standalone(view):
    return _render(view, standalone=True)


@bp.get("/")
def root():
    return render_template("error.html", status=200, code="bridge",
                           message="This is the Amazon channel bridge. Open the admin from Magento, or the "
                                   "one-time URL printed at start in standalone mode.")


# The new-ASIN pages, the notifications and repricing sections add their routes and template globals here.
from bridge.views import new_asin  # noqa: E402,F401
from bridge.views import notifications  # noqa: E402,F401
from bridge.views import repricing  # noqa: E402,F401
