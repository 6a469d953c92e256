"""Runs compat/oidc/private_key_jwt.test.js (openid-client 6 from npm) against the local runner: a machine client
that registers its own public key and authenticates with client.PrivateKeyJwt (RS256 and ES256)."""
import os
import pathlib
import shutil
import subprocess

HERE = pathlib.Path(__file__).resolve().parent


def test_openid_client_private_key_jwt(local_service, owner):
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the openid-client suite needs Node.js 20+ and npm on PATH"
    if not (HERE / "node_modules" / "openid-client").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    environment = dict(os.environ, TOKEN_SERVICE_URL=local_service.url, REGISTRAR_TOKEN=owner.token(),
                       API_KEY=local_service.api_key)
    result = subprocess.run([node, "--test", "private_key_jwt.test.js"], cwd=HERE, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# pass 2" in result.stdout, result.stdout[-3000:]
