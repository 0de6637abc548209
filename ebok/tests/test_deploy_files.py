"""The deployment files parse, and the Helm values satisfy their JSON schema."""

import json
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
