"""The scaffold templates are files: each is valid as it stands, before any name is filled in."""

from __future__ import annotations

import importlib.util

from cityrank.commands.new import TEMPLATES, from_template
from cityrank.formats.spec import load_edition
from cityrank.testing import check_aggregator, check_normaliser


def test_edition_template_loads_as_it_is():
    edition = load_edition(TEMPLATES / "edition" / "src" / "cityrank_newplugin" / "edition.toml")
    assert edition.id == "newplugin" and len(edition.cities) == 3
    assert [d.id for d in edition.framework.nodes[1:]] == ["traditional", "digital", "institutional"]


def test_method_template_methods_keep_the_contract():
    path = TEMPLATES / "method-plugin" / "src" / "cityrank_newplugin" / "methods.py"
    spec = importlib.util.spec_from_file_location("template_methods", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    check_normaliser(module.share_of_best)
    check_aggregator(module.weighted_median)


def test_filling_a_template_leaves_no_placeholder():
    for template in ("edition", "method-plugin", "indicator-plugin"):
        files = from_template(template, "sco-2025", "cityrank_sco_2025")
        assert files and not any("newplugin" in k or "newplugin" in v for k, v in files.items()), template
