"""Our recognizers inside a plain Presidio AnalyzerEngine, and company recognizers from Presidio's YAML."""

from __future__ import annotations

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from redaction import Redactor
from redaction.config import RedactionConfig
from redaction.registry import CustomRecognizerError, build_registry, load_custom_recognizers

CUSTOM = """recognizers:
  - name: Employee id
    supported_language: ko
    supported_entity: EMPLOYEE_ID
    patterns:
      - name: emp
        regex: "EMP-\\\\d{6}"
        score: 0.9
  - name: Project names
    supported_entity: PROJECT
    deny_list: [블루오션, 프로젝트X]
"""


def test_registry_loads_into_plain_presidio_analyzer():
    reg = build_registry(["ko"], use_name_analyser=False)
    assert all(isinstance(r, EntityRecognizer) for r in reg.recognizers)
    eng = AnalyzerEngine(registry=reg, nlp_engine=NoOpNlpEngine([{"lang_code": "ko", "model_name": "none"}]),
                         supported_languages=["ko"])
    text = "환자성명: 남궁서율 (남, 51세) 주민등록번호 900101-1234568 주소: 광주광역시 북구 새솔로 17길 9-4, 1107호"
    got = {(r.entity_type, text[r.start:r.end]) for r in eng.analyze(text, language="ko")}
    assert ("PERSON", "남궁서율") in got
    assert ("KR_RRN", "900101-1234568") in got
    assert ("ADDRESS", "광주광역시 북구 새솔로 17길 9-4, 1107호") in got


def test_custom_yaml_recognizers_redact_company_ids(tmp_path):
    p = tmp_path / "company.yaml"
    p.write_text(CUSTOM, encoding="utf-8")
    recs = load_custom_recognizers(p)
    assert [r.supported_entities for r in recs] == [["EMPLOYEE_ID"], ["PROJECT"]]
    red = Redactor(RedactionConfig(custom_recognizers=str(p), use_name_analyser=False))
    res = red.redact("사번 EMP-204518 직원이 블루오션 과제를 맡았다.", "ko")
    assert res.text == "사번 <EMPLOYEE_ID_1> 직원이 <PROJECT_1> 과제를 맡았다."
    # and in the registry, per language
    reg = build_registry(["ko", "en"], use_name_analyser=False, custom_recognizers=p)
    assert {r.supported_language for r in reg.recognizers if r.supported_entities == ["EMPLOYEE_ID"]} == {"ko", "en"}


@pytest.mark.parametrize(("content", "msg"), [
    ("recognizers: []\n", "non-empty"),
    ("foo: 1\n", "recognizers"),
    ("recognizers:\n  - name: x\n    patterns: [{name: p, regex: a, score: 0.5}]\n", "supported_entity"),
    ("recognizers:\n  - name: x\n    supported_entity: X\n", "patterns or deny_list"),
    ("recognizers: [\n", "not valid YAML"),
])
def test_bad_custom_yaml_names_file_and_problem(tmp_path, content, msg):
    p = tmp_path / "bad.yaml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(CustomRecognizerError, match=msg) as e:
        load_custom_recognizers(p)
    assert "bad.yaml" in str(e.value)
