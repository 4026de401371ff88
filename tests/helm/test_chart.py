"""The Helm chart lints, renders, and its default l2watch config is one that
l2watch itself accepts (helm built from source with the machine's Go)."""
import os
import subprocess

import pytest
import yaml

from l2wtest import run_cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHART = os.path.join(ROOT, "helm", "l2watch")


@pytest.fixture(scope="module")
def helm():
    out = subprocess.run([os.path.join(ROOT, "scripts", "install-helm.sh")], capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_chart_lints_strictly(helm):
    out = subprocess.run([helm, "lint", "--strict", CHART], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 chart(s) failed" in out.stdout


def test_rendered_config_is_accepted_by_l2watch(helm, tmp_path):
    out = subprocess.run([helm, "template", "t", CHART], capture_output=True, text=True, check=True)
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    kinds = {d["kind"] for d in docs}
    assert {"ConfigMap", "Deployment", "Service"} <= kinds
    deploy = next(d for d in docs if d["kind"] == "Deployment")
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["run", "-c", "/etc/l2watch/config.yaml"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["config.yaml"]
    path = tmp_path / "config.yaml"
    path.write_text(config)
    env = {**os.environ, "L2WATCH_DATABASE_URL": "postgresql://x@localhost/l2watch",
           "L2WATCH_WEBHOOK_URL": "https://hooks.example/x", "ETH_RPC_URL": "https://eth.example",
           "OP_RPC_URL": "https://op.example"}
    result = run_cli("check-config", "-c", str(path), env=env)
    assert result.returncode == 0, result.stderr
    # A typo in the chart's config would be refused the same way.
    path.write_text(config.replace("l2_output_oracle", "l2_output_orcale"))
    result = run_cli("check-config", "-c", str(path), env=env)
    assert result.returncode != 0 and "l2_output_orcale: unknown key" in result.stderr
