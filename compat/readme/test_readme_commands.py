"""Runs README.md's code blocks against the local runner, as a newcomer would type them into one terminal.

Which blocks run: every fenced block whose info string is `sh`, `python` or `js`; a block whose info string also says
`no-test` (installing, building, starting the runner, deploying) does not. `text` blocks are output, not commands.
The README writes the runner's address as http://127.0.0.1:3000; here it is the address of the runner this session
started (its port is chosen by the OS), and that is the only substitution. The shell blocks run one after the other
with `bash -e` in one working folder; the variables a block assigns are carried to the next, as one terminal would
carry them. The runner's output is written to runner.log in that folder, so the README's block that reads the
credentials from runner.log runs as written, and its result is compared with what the fixture read.

The one step a test cannot take as written is the person in the browser: for the block that redeems `$CODE`, this
test does what the browser would (a signed-in session opens the printed address and approves the consent page) and
puts the code from the redirect into CODE.
"""
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import urllib.parse

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
KNETIK = ROOT / "compat" / "knetik"
README_URL = "http://127.0.0.1:3000"
BLOCK_TIMEOUT_SECONDS = 120
RUNNABLE = {"sh", "python", "js"}
FENCE = re.compile(r"^(\s*)```(\S*)(.*)$")
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def readme_blocks():
    """(language, code, first line number) of every runnable block, in README order."""
    blocks, current = [], None
    for number, line in enumerate(README.read_text().splitlines(), start=1):
        fence = FENCE.match(line)
        if current is None and fence and fence.group(2):
            indent, language, rest = fence.groups()
            current = {"language": language, "tested": language in RUNNABLE and "no-test" not in rest.split(),
                       "indent": len(indent), "line": number + 1, "code": []}
        elif current is not None and fence and not fence.group(2):
            if current["tested"]:
                blocks.append((current["language"], "\n".join(current["code"]) + "\n", current["line"]))
            current = None
        elif current is not None:
            current["code"].append(line[current["indent"]:] if line[:current["indent"]].isspace() else line.lstrip())
    assert current is None, "README.md has an unclosed code fence"
    return blocks


BLOCKS = readme_blocks()
CARRIED = sorted({name for language, code, _ in BLOCKS if language == "sh" for name in ASSIGNMENT.findall(code)})


def test_the_readme_has_runnable_blocks_for_the_shell_and_each_sdk():
    languages = [language for language, _, _ in BLOCKS]
    assert languages.count("sh") >= 4 and languages.count("python") == 2 and languages.count("js") == 1, languages
    for _, code, line in BLOCKS:
        assert "localhost" not in code, f"README.md line {line}: the issuer is {README_URL}, not localhost"


def test_the_readmes_links_into_docs_lead_to_files_and_headings_that_exist():
    for page, anchor in re.findall(r"\]\((docs/[^)#]+)(?:#([^)]+))?\)", README.read_text()):
        target = ROOT / page
        assert target.is_file(), f"README links to {page}, which does not exist"
        if anchor:
            headings = {re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")
                        for heading in re.findall(r"^#+ (.+)$", target.read_text(), re.MULTILINE)}
            assert anchor in headings, f"README links to {page}#{anchor}, a heading it does not have"


@pytest.fixture(scope="module")
def terminal(local_service, tmp_path_factory):
    """One working folder, as a second terminal beside the running service: runner.log holds what it printed."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "runner.log").write_text("".join(local_service.output))
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("CLIENT_ID", "CLIENT_SECRET", "API_KEY", "CODE")}
    return folder, environment


def run_shell(folder, environment, code, line):
    """bash -e on the block, with the variables earlier blocks assigned; returns stdout and the variables after."""
    state = folder / "state.sh"
    names = " ".join(CARRIED)
    script = (f"[ -f {state} ] && source {state}\n" + code
              + f"\nfor name in {names}; do [ -n \"${{!name+x}}\" ] && declare -p \"$name\"; done > {state}.new || true\n"
              + f"mv {state}.new {state}\n")
    result = subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=environment, capture_output=True, text=True,
                            timeout=BLOCK_TIMEOUT_SECONDS)
    assert result.returncode == 0, f"README.md line {line}: exit {result.returncode}\n{code}\n" \
                                   f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}"
    carried = subprocess.run(["bash", "-c", f"source {state}; for n in {names}; do printf '%s=%s\\0' \"$n\" \"${{!n}}\"; done"],
                             capture_output=True, text=True, timeout=30).stdout
    variables = dict(entry.split("=", 1) for entry in carried.split("\0") if entry and not entry.endswith("="))
    return result.stdout, variables


def run_program(folder, environment, language, code, line):
    if language == "python":
        command = ["python3", "-"]
    else:
        node, npm = shutil.which("node"), shutil.which("npm")
        assert node and npm, "README's Knetik snippet needs Node.js 20+ and npm on PATH"
        if not (KNETIK / "node_modules" / "@knetik" / "knetikcloud-sdk").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=KNETIK, check=True, timeout=300)
        environment = dict(environment, NODE_PATH=str(KNETIK / "node_modules"))
        command = [node, "-"]
    result = subprocess.run(command, input=code, cwd=folder, env=environment, capture_output=True, text=True,
                            timeout=BLOCK_TIMEOUT_SECONDS)
    assert result.returncode == 0, f"README.md line {line} ({language}): exit {result.returncode}\n" \
                                   f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}"
    return result.stdout


def browser_approves(local_service, address):
    """What the browser does with the printed address once the person has signed in: the page, then Approve."""
    session = local_service.session(sub="ada", claims={"name": "Ada Lovelace", "email": "ada@example.com"})
    cookie = {"Cookie": "asc_auth_key=" + session}
    page = requests.get(address, headers=cookie, allow_redirects=False, timeout=30)
    if page.status_code != 302:
        assert page.status_code == 200, page.text
        ticket = html.unescape(re.search(r'name="ticket" value="([^"]+)"', page.text).group(1))
        page = requests.post(address, headers=cookie, data={"ticket": ticket, "decision": "approve"},
                             allow_redirects=False, timeout=30)
        assert page.status_code == 302, page.text
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.headers["Location"]).query)
    assert query.get("state") == ["s1"], page.headers["Location"]
    return query["code"][0]


def test_every_readme_block_runs_as_written(local_service, terminal):
    folder, environment = terminal
    variables, last_output, outputs = {}, "", []
    try:
        for language, code, line in BLOCKS:
            code = code.replace(README_URL, local_service.url)
            if language == "sh":
                if re.search(r"\$\{?CODE\b", code):
                    address = next(word for word in last_output.split() if "/oauth2/authorize?" in word)
                    environment = dict(environment, CODE=browser_approves(local_service, address))
                last_output, variables = run_shell(folder, environment, code, line)
                exported = {name: variables[name] for name in ("CLIENT_ID", "CLIENT_SECRET", "API_KEY")
                            if name in variables}
                environment = dict(environment, **exported)
            else:
                last_output = run_program(folder, environment, language, code, line)
            outputs.append((line, last_output))
    finally:
        if variables.get("RP_ID"):
            requests.delete(f"{local_service.url}/api/2.0/clients/{variables['RP_ID']}", timeout=30,
                            headers={"Authorization": "Bearer " + local_service.token(),
                                     "x-api-key": local_service.api_key})

    # The credentials block read what the runner printed, and every later block used them.
    assert (environment.get("CLIENT_ID"), environment.get("CLIENT_SECRET"), environment.get("API_KEY")) == (
        local_service.admin_client_id, local_service.admin_client_secret, local_service.api_key)
    printed = "\n".join(output for _, output in outputs)
    assert '"active":false' in printed.replace(" ", ""), "the revoked token introspects as inactive"
    redeemed = [json.loads(output) for _, output in outputs if '"id_token"' in output]
    assert redeemed and redeemed[0]["token_type"].lower() == "bearer", "the code was redeemed for an ID token"
    assert '"session"' in printed, "the login front end got a session"
