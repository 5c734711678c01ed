"""The contract is data: counties change values or add columns in YAML; every bad key is reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.builders import household, register
from tracker.common.errors import ConfigError
from tracker.common.resources import resource
from tracker.register.contract import load_contract, parse_contract
from tracker.validate.validator import validate


def _contract_data() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((resource("schemas") / "register.yaml").read_text(encoding="utf-8"))


def test_a_county_narrows_the_categories_in_yaml(tmp_path: Path) -> None:
    """The 2021+ categories are allowed out of the box; a county that keeps only the 2020 ones removes them (and
    their roles) from its contract, and they become enum errors."""
    data = _contract_data()
    households = next(t for t in data["tabs"] if t["key"] == "households")
    category = next(c for c in households["columns"] if c["key"] == "category")
    category["values"] = ["脱贫监测户", "边缘户"]
    category["roles"] = {"脱贫监测户": "stable_risk", "边缘户": "edge"}
    category["synonyms"] = {}
    path = tmp_path / "register.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reg = register(households=[household(1, **{"监测类别": "突发严重困难户"})])
    assert not validate(reg, today=date(2020, 7, 1)).errors
    assert validate(reg, load_contract(path), today=date(2020, 7, 1)).errors[0].code == "enum"


def test_roles_and_synonyms_are_checked_with_every_other_key() -> None:
    data = _contract_data()
    households = next(t for t in data["tabs"] if t["key"] == "households")
    category = next(c for c in households["columns"] if c["key"] == "category")
    category["roles"]["贫困户"] = "poor"
    category["synonyms"]["边缘易致贫人口"] = "边缘人口"
    category["synonyms"]["边缘户"] = "边缘户"
    with pytest.raises(ConfigError) as caught:
        parse_contract(data, "test")
    message = str(caught.value)
    assert "roles 里的「贫困户」不在 values 中" in message
    assert "synonyms 里「边缘易致贫人口」对应的「边缘人口」不在 values 中" in message
    assert "synonyms 里的「边缘户」本身就是允许的取值" in message


def test_adding_an_optional_column(tmp_path: Path) -> None:
    data = _contract_data()
    households = next(t for t in data["tabs"] if t["key"] == "households")
    households["columns"].append({"key": "bank", "header": "开户银行", "type": "text", "required": False})
    households["columns"].append({"key": "area", "header": "耕地面积（亩）", "type": "number", "min": 0})
    contract = parse_contract(data, "test")
    assert contract.tab("households").column("area").min == 0


def test_every_bad_key_reported_at_once() -> None:
    data = _contract_data()
    households = next(t for t in data["tabs"] if t["key"] == "households")
    households["columns"][0]["typo"] = 1
    households["columns"][1]["type"] = "string"
    households["columns"][2]["values"] = None
    households["columns"][8]["values"] = []
    with pytest.raises(ConfigError) as info:
        parse_contract(data, "register.yaml")
    text = str(info.value)
    assert "3 处错误" in text
    assert "typo" in text and "string" in text and "values" in text
