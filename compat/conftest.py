"""Starts the local runner (template.yaml's API on loopback) once per test session, in its own JVM.

The runner prints the bootstrap admin's credentials and the usage plan's API key on its first start;
the fixture reads them from its output, as a developer would from the terminal.
"""
import base64
import contextlib
import json
import os
import pathlib
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 180


@dataclass
class LocalService:
    url: str
    admin_client_id: str
    admin_client_secret: str
    api_key: str
    output: list

    def token(self, client_id=None, client_secret=None, scope=None):
        """An access token from POST /oauth2/token with client_credentials and HTTP Basic."""
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        basic = base64.b64encode(f"{client_id or self.admin_client_id}:"
                                 f"{client_secret or self.admin_client_secret}".encode()).decode()
        request = urllib.request.Request(self.url + "/oauth2/token", data=urllib.parse.urlencode(form).encode(),
                                         headers={"Authorization": "Basic " + basic,
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["access_token"]

    def session(self, sub=None, claims=None):
        """A browser session for a person, as a login front end gets it from POST /oauth2/sessions (the admin
        client holds sessions:create): the value of the asc_auth_key cookie. sub defaults to the admin's id."""
        body = {"sub": sub or self.admin_client_id}
        if claims:
            body["claims"] = claims
        request = urllib.request.Request(self.url + "/oauth2/sessions", data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": "Bearer " + self.token(),
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["session"]

    def token_status(self, client_id, client_secret):
        try:
            self.token(client_id, client_secret)
            return 200
        except urllib.error.HTTPError as error:
            return error.code


def _classpath(workdir):
    out = pathlib.Path(workdir) / "classpath.txt"
    subprocess.run(["mvn", "-B", "-q", "--no-transfer-progress", "-pl", "local", "dependency:build-classpath",
                    f"-Dmdep.outputFile={out}"], cwd=ROOT, check=True, timeout=600)
    return out.read_text().strip() + os.pathsep + str(ROOT / "local" / "target" / "classes")


@contextlib.contextmanager
def start_local_service(extra_args=(), environment=None):
    """Runs the local runner in its own JVM (port chosen by the OS, data in a fresh folder) until the block ends.

    extra_args go to the runner (e.g. --parameter Name=Value); environment adds variables the functions read.
    """
    workdir = tempfile.mkdtemp(prefix="token-service-compat-")
    java = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    process = subprocess.Popen(
        [java, "-cp", _classpath(workdir), "dev.tokenservice.local.LocalServer",
         "--port", "0", "--data", os.path.join(workdir, "data"), "--template", str(ROOT / "template.yaml"),
         *extra_args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(environment or {})})
    output, found, ready = [], {}, threading.Event()
    patterns = {"url": r"token-service listening on (\S+)",
                "client_id": r"bootstrap admin client_id: (\S+)",
                "client_secret": r"bootstrap admin client_secret: (\S+)",
                "api_key": r"API key \(send as x-api-key\): (\S+)"}

    def drain():
        for line in process.stdout:
            output.append(line)
            for name, pattern in patterns.items():
                match = re.search(pattern, line)
                if match:
                    found[name] = match.group(1)
            if "url" in found:
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        if not ready.wait(START_TIMEOUT_SECONDS) or "url" not in found:
            raise RuntimeError("the local runner did not start:\n" + "".join(output[-40:]))
        missing = {"client_id", "client_secret", "api_key"} - found.keys()
        if missing:
            raise RuntimeError(f"the local runner printed no {missing}:\n" + "".join(output[-40:]))
        yield LocalService(found["url"], found["client_id"], found["client_secret"], found["api_key"], output)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def local_service():
    with start_local_service() as service:
        yield service


@dataclass
class Owner:
    """A caller with clients:write that one test module alone registers clients as."""
    service: LocalService
    client_id: str
    client_secret: str

    def token(self, scope=None):
        return self.service.token(self.client_id, self.client_secret, scope)


def _admin_call(service, method, path, body=None):
    request = urllib.request.Request(service.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + service.token(),
                                              "x-api-key": service.api_key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def owner(local_service, request):
    """The clients a suite registers count against an owner of its own, never the bootstrap admin's 10-client
    quota, so no suite depends on which suites ran before it on the shared runner. The owner is deleted when
    the module ends, which gives the admin's quota back."""
    status, created = _admin_call(local_service, "POST", "/api/2.0/clients", {
        "name": "owner of " + request.module.__name__, "description": "registers this suite's clients",
        "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://suite.example.com",
        "terms_url": "https://suite.example.com/terms", "policy_url": "https://suite.example.com/privacy",
        "redirect_uris": ["https://suite.example.com/cb"], "allowed_origins": ["https://suite.example.com"],
        "logout_redirect_uri": "https://suite.example.com/bye",
        "scopes": ["clients:write", "openid", "files:read"], "allow_pkce": False})
    assert status == 201, created
    yield Owner(local_service, created["client_id"], created["client_secret"])
    _admin_call(local_service, "DELETE", "/api/2.0/clients/" + created["client_id"])


def _strict():
    """Under CI (CI=true) a suite whose library or browser is missing fails: nothing in CI may skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if _strict() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{collector.nodeid} would be skipped, and CI=true allows no skip: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _strict() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} would be skipped, and CI=true allows no skip: {report.longrepr}"
