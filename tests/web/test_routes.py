"""The web router: the page, the redirect and the static files, without a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from photomanager.api.server import AppServer
from photomanager.web import router
from photomanager.web.routes import STATIC_DIR


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The router alone in an app served on a loopback port (the real app includes it too)."""
    app = FastAPI()
    app.include_router(router)
    server = AppServer(app, port=0, log_level="warning")
    bound = server.start()
    with httpx.Client(base_url=bound.url) as http:
        yield http
    server.stop()


class TestPage:
    def test_root_redirects_to_auto_comments(self, client: httpx.Client) -> None:
        """`/` sends the browser to the Auto Comments section."""
        response = client.get("/", follow_redirects=False)
        assert response.status_code in (302, 303, 307)
        assert response.headers["location"] == "/auto-comments"

    def test_page_is_html_loading_one_module(self, client: httpx.Client) -> None:
        """The page is HTML whose only script is the app module, loaded from /static."""
        response = client.get("/auto-comments")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        scripts = re.findall(r"<script[^>]*>", response.text)
        assert scripts == ['<script type="module" src="/static/app.js">']

    def test_page_has_no_inline_handlers_or_styles(self, client: httpx.Client) -> None:
        """The strict CSP forbids inline event handlers and style attributes."""
        html = client.get("/auto-comments").text
        assert not re.search(r"\son[a-z]+\s*=", html)
        assert " style=" not in html

    def test_page_states_the_abuse_rule(self, client: httpx.Client) -> None:
        """The first screen quotes DeviantArt's rule on automated commenting."""
        html = client.get("/auto-comments").text
        assert "use of a script or automated system to comment, favorite or watch for you" in html


class TestStaticFiles:
    def test_modules_are_served_as_javascript(self, client: httpx.Client) -> None:
        """Module scripts need a JavaScript content type (nosniff refuses anything else)."""
        response = client.get("/static/app.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")

    def test_every_imported_module_exists(self, client: httpx.Client) -> None:
        """Every `import ... from "./x.js"` in the static files resolves to a served file."""
        for script in STATIC_DIR.glob("*.js"):
            for name in re.findall(r'from "\./([^"]+)"', script.read_text()):
                assert client.get(f"/static/{name}").status_code == 200, (script.name, name)

    def test_stylesheet_is_css(self, client: httpx.Client) -> None:
        """The stylesheet is served as CSS."""
        response = client.get("/static/app.css")
        assert response.headers["content-type"].startswith("text/css")

    @pytest.mark.parametrize(
        "path",
        ["/static/../routes.py", "/static/%2e%2e/routes.py", "/static/nope.js", "/static/"],
    )
    def test_nothing_outside_the_static_folder(self, client: httpx.Client, path: str) -> None:
        """Traversal and unknown names get 404, never a file from elsewhere."""
        response = client.get(path)
        assert response.status_code == 404
        assert "APIRouter" not in response.text

    def test_no_script_writes_html(self) -> None:
        """Third-party text goes in as text: no innerHTML or insertAdjacentHTML anywhere."""
        for script in STATIC_DIR.glob("*.js"):
            source = script.read_text()
            assert "innerHTML" not in source, script.name
            assert "insertAdjacentHTML" not in source, script.name
            assert "outerHTML" not in source, script.name
