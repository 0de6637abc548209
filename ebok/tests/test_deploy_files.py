"""The deployment files parse, the Helm chart renders and validates against Kubernetes' schemas,
and the linters made for them pass."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_helm_values_match_their_schema():
    schema = json.loads((ROOT / "helm/ebok/values.schema.json").read_text())
    values = yaml.safe_load((ROOT / "helm/ebok/values.yaml").read_text())
    jsonschema.validate(values, schema)
    chart = yaml.safe_load((ROOT / "helm/ebok/Chart.yaml").read_text())
    assert chart["name"] == "ebok"
    assert chart["apiVersion"] == "v2"


def test_helm_schema_rejects_bad_values():
    schema = json.loads((ROOT / "helm/ebok/values.schema.json").read_text())
    values = yaml.safe_load((ROOT / "helm/ebok/values.yaml").read_text())
    values["web"]["replicas"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, schema)


def test_compose_file_runs_every_process_from_one_image():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat", "nginx"} <= set(services)
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_uploads_and_exports_live_on_a_shared_volume():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    for name in ("web", "worker"):
        assert "media:/data/media" in compose["services"][name]["volumes"]
    assert "media" in compose["volumes"]
    values = yaml.safe_load((ROOT / "helm/ebok/values.yaml").read_text())
    assert values["media"]["persistence"]["enabled"] is True
    for template in ("web.yaml", "worker.yaml"):
        text = (ROOT / "helm/ebok/templates" / template).read_text()
        assert "mountPath: /data/media" in text
        assert 'include "ebok.mediaVolume"' in text
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert "postgresql-client" in dockerfile  # pg_dump for the console's export
    assert "MEDIA_ROOT=/data/media" in dockerfile


def test_custom_domains_get_ingress_hosts_and_certificates():
    schema = json.loads((ROOT / "helm/ebok/values.schema.json").read_text())
    values = yaml.safe_load((ROOT / "helm/ebok/values.yaml").read_text())
    values["ingress"]["customDomains"] = [
        {"host": "ebok.przyklad.pl", "tlsSecretName": "ebok-przyklad-tls"}
    ]
    jsonschema.validate(values, schema)
    values["ingress"]["customDomains"] = [{"host": "ebok.przyklad.pl"}]  # no certificate
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, schema)
    template = (ROOT / "helm/ebok/templates/ingress.yaml").read_text()
    assert "range .Values.ingress.customDomains" in template


# --- the files proven with the tools made for them (offline): Helm renders the chart, the
# manifests validate against Kubernetes' own schemas, yamllint and hadolint pass ---------------

BIN = Path(sys.executable).parent
K8S_VERSION = "1.31.0"  # the oldest Kubernetes the chart supports (autoscaling/v2, policy/v1)


def _tool(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the venv's own linters
        [str(BIN / name), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _render(values: str) -> list[dict]:
    done = _tool("helm", "template", "ebok", "helm/ebok", "-f", f"helm/ebok/{values}")
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.mark.parametrize("values", ["values.yaml", "values-production.yaml"])
def test_the_chart_renders_and_validates_against_kubernetes_schemas(values):
    import kubernetes_validate

    values_data = yaml.safe_load((ROOT / "helm/ebok" / values).read_text())
    jsonschema.validate(
        values_data, json.loads((ROOT / "helm/ebok/values.schema.json").read_text())
    )
    lint = _tool("helm", "lint", "--strict", "helm/ebok", "-f", f"helm/ebok/{values}")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    docs = _render(values)
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {
        ("Deployment", "ebok-web"),
        ("Deployment", "ebok-worker"),
        ("Deployment", "ebok-beat"),
        ("Service", "ebok-web"),
        ("PodDisruptionBudget", "ebok-web"),
    } <= kinds
    if values_data["web"]["autoscaling"]["enabled"]:
        assert ("HorizontalPodAutoscaler", "ebok-web") in kinds
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert deployments["ebok-beat"]["spec"]["replicas"] == 1  # a single scheduler, always
    assert deployments["ebok-beat"]["spec"]["strategy"]["type"] == "Recreate"
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"] for v in pod.get("volumes", [])}
        for container in pod["containers"]:
            assert container["resources"]["requests"], name
            assert {m["name"] for m in container.get("volumeMounts", [])} <= volumes, name
            # Secrets come from the existing Secret, never from the values.
            assert container["envFrom"] == [{"secretRef": {"name": values_data["existingSecret"]}}]
            assert not {"SECRET_KEY", "DATABASE_URL"} & {e["name"] for e in container["env"]}
    web = deployments["ebok-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert (
        "livenessProbe" in deployments["ebok-worker"]["spec"]["template"]["spec"]["containers"][0]
    )
    (job,) = [d for d in docs if d["kind"] == "Job"]
    assert "pre-upgrade" in job["metadata"]["annotations"]["helm.sh/hook"]
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "migrate_tenants --changes-only" in command  # the parallel runner


def test_deployment_files_pass_yamllint_and_hadolint(tmp_path):
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(
        _tool(
            "helm", "template", "ebok", "helm/ebok", "-f", "helm/ebok/values-production.yaml"
        ).stdout
    )
    lint = _tool(
        "yamllint",
        "-c",
        ".yamllint.yaml",
        "deploy/compose.yaml",
        "helm/ebok/Chart.yaml",
        "helm/ebok/values.yaml",
        "helm/ebok/values-production.yaml",
        str(rendered),
    )
    assert lint.returncode == 0, lint.stdout
    docker = _tool("hadolint", "--config", ".hadolint.yaml", "deploy/Dockerfile")
    assert docker.returncode == 0, docker.stdout
    # The image installs its packages from the lock, hashes checked.
    assert "--require-hashes -r requirements.lock" in (ROOT / "deploy/Dockerfile").read_text()


def test_compose_starts_every_process_with_health_checks_and_a_mail_sink():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat", "mail", "nginx"} <= set(services)
    for name in ("db", "redis", "web", "worker", "mail"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["environment"]["EMAIL_URL"].endswith("smtp://mail:1025}")
    assert "NUM_PROXIES" in services["web"]["environment"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert "migrate_tenants" in " ".join(services["migrate"]["command"])
    # Nothing but the proxy (and the sink's inbox, on loopback) is published.
    published = {n: s.get("ports", []) for n, s in services.items() if s.get("ports")}
    assert set(published) == {"nginx", "mail"}
    assert all(p.startswith("127.0.0.1:") for p in published["mail"])
