"""Runs compat/knetik/auth_tokens.test.js (the Knetik JavaScript SDK from npm) against the local runner."""
import os
import pathlib
import shutil
import subprocess

HERE = pathlib.Path(__file__).resolve().parent


def test_knetik_javascript_sdk_drives_all_three_operations(local_service):
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the Knetik SDK suite needs Node.js 18+ and npm on PATH"
    if not (HERE / "node_modules" / "@knetik" / "knetikcloud-sdk").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    environment = dict(os.environ,
                       TOKEN_SERVICE_URL=local_service.url,
                       TOKEN_SERVICE_ADMIN_TOKEN=local_service.token(scope="tokens:admin"),
                       TOKEN_SERVICE_ADMIN_CLIENT_ID=local_service.admin_client_id,
                       TOKEN_SERVICE_API_KEY=local_service.api_key)
    result = subprocess.run([node, "--test", "auth_tokens.test.js"], cwd=HERE, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# pass 4" in result.stdout, result.stdout[-3000:]
