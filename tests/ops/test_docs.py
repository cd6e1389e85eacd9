"""docs/config.md is generated from the models; these tests keep it true."""

from __future__ import annotations

from config.stack import StackConfig
from ops.cli import main
from ops.docs import REFERENCE, render_reference


def test_committed_reference_is_up_to_date():
    assert REFERENCE.read_text(encoding="utf-8") == render_reference(), "run `python -m ops docs` and commit"


def test_check_fails_on_a_stale_reference(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "config.md"
    stale.write_text("# outdated\n", encoding="utf-8")
    monkeypatch.setattr("ops.docs.REFERENCE", stale)
    assert main(["docs", "--check"]) == 1
    assert "stale" in capsys.readouterr().err


def test_reference_documents_every_top_level_key_and_the_prod_rules():
    text = render_reference()
    for name, field in StackConfig.model_fields.items():
        key = "aws:region" if name == "region" else f"webstack:{field.alias}"
        assert f"`{key}" in text, key
    assert "`webstack:data.postgres.multiAz`" in text
    assert "prod: must be true" in text
    assert "`webstack:compute.services.<name>.cpu`" in text
    assert "`webstack:compute.containerInsights`" in text
    assert "`webstack:compute.services.<name>.instanceType`" in text
