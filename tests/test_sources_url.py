"""http(s):// policies are fetched with the standard library: tested only against a local
http.server on 127.0.0.1, in a thread (no other network)."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time

import pytest
from _cli import run_in_process
from test_cli import assert_one_line_error

import policyml
from policyml import sources
from policyml.sources import PolicySource, SourceError, fetch_url, is_url

PAGE = (
    b"<html><head><title>Privacy</title></head><body><h2>Cookies</h2>"
    b"<p>We use cookies to remember your language.</p><h2>Sharing</h2>"
    b"<p>We share your email address with advertisers.</p></body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/policy.html": (200, "text/html; charset=utf-8", PAGE),
            "/policy.pdf": (200, "application/pdf", b"%PDF-1.7\n\x00\x00\x01binary"),
            "/big.html": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
            "/empty.html": (200, "text/html", b"<html><body></body></html>"),
        }
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/policy.html")
            self.end_headers()
            return
        if self.path == "/slow.html":
            time.sleep(1.5)
        if self.path == "/big-no-length.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"y" * 5000 + b"</p>")
            return
        status, kind, body = routes.get(self.path, (404, "text/plain", b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the client gave up (the timeout test)
            self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy set in the environment must not take the requests to 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def test_is_url():
    assert is_url("http://example.com") and is_url("HTTPS://example.com/a?b=c")
    assert not is_url("example.com") and not is_url("file:///etc/passwd") and not is_url("x")


def test_fetch_a_page_and_follow_a_redirect(server):
    assert fetch_url(f"{server}/policy.html") == PAGE
    assert fetch_url(f"{server}/moved") == PAGE
    text = PolicySource(f"{server}/policy.html", url=f"{server}/policy.html").read()
    assert "We use cookies" in text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/absent.html", "cannot fetch: HTTP 404 Not Found"),
        ("/big.html", "page is 0 MB, over the 0.00390625 MiB limit"),
        ("/big-no-length.html", "page is over the 0.00390625 MiB limit"),
    ],
)
def test_fetch_errors_are_one_clear_line(server, monkeypatch, path, message):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 4096)
    with pytest.raises(SourceError) as caught:
        fetch_url(server + path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_fetch_timeout_and_refused_connection(server):
    with pytest.raises(SourceError, match=r"no answer within 0\.3 s"):
        fetch_url(f"{server}/slow.html", timeout=0.3)
    with pytest.raises(SourceError, match=r"cannot fetch: .*refused"):
        fetch_url("http://127.0.0.1:9/policy.html", timeout=5)  # the discard port: closed
    with pytest.raises(SourceError, match="not an http"):
        fetch_url("ftp://127.0.0.1/policy.html")


def test_cli_classifies_a_url(server):
    result = run_in_process("classify", f"{server}/policy.html", "--format", "json")
    assert result.returncode == 0, result.stderr
    expected = policyml.classify(PAGE)
    assert result.stdout.decode().count('"paragraph"') == len(expected) == 2
    assert b"cookies" in result.stdout and b"sharing" in result.stdout


def test_cli_url_errors(server, tmp_path):
    assert_one_line_error(
        run_in_process("classify", f"{server}/absent.html"), f"{server}/absent.html: cannot fetch"
    )
    assert_one_line_error(
        run_in_process("report", f"{server}/policy.pdf", "-o", str(tmp_path / "r.html")),
        "policy.pdf: binary content (NUL bytes)",
    )
    assert_one_line_error(
        run_in_process("summary", f"{server}/empty.html"), "no paragraphs found in http"
    )
    assert not (tmp_path / "r.html").exists()


def test_classify_many_reads_urls(server, tmp_path):
    local = tmp_path / "local.txt"
    local.write_text("We sell nothing.\n")
    result = policyml.classify_many([f"{server}/policy.html", str(local)], kind="path")
    assert result["policy"].unique().tolist() == [f"{server}/policy.html", str(local)]
    out = tmp_path / "out.csv"
    code = run_in_process("classify", f"{server}/policy.html", f"{server}/x.html", "-o", str(out))
    assert code.returncode == 1  # one of the two failed, the other was written
    assert f"{server}/x.html: cannot fetch: HTTP 404" in code.stderr.decode()
    assert "We use cookies" in out.read_text()
