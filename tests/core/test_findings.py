"""Each finding rule fires on data that shows its problem and stays silent on a healthy run."""

import math

import pytest

from studio.core.config import AUTOENCODER
from studio.core.evaluation.findings import Facts, problems, reassurances, status
from studio.core.evaluation.vocabulary import Evaluation


def _losses(n=40, g=1.5, d_fake=0.35, tail=None):
    rows = [{"step": 10 * (i + 1), "g_loss": g, "d_loss": 1.1, "d_real": 0.6, "d_fake": d_fake} for i in range(n)]
    for row in rows[-n // 4:]:
        row.update(tail or {})
    return rows


def _evaluation(**changes):
    record = {"step": 400, "fd": 3.0, "kid": 1.0, "kid_std": 0.1, "precision": 0.7, "recall": 0.6, "diversity": 0.95,
              "duplicate_rate": 0.01, "duplicate_rate_real": 0.0, "feature_label": "random conv features (seed 0, 448-d)",
              "n_fake": 500, "n_real": 500,
              "memorisation": {"near_copy_rate": 0.0, "samples": 256, "training_images": 8000, "pixel_rmse_median": 40.0,
                               "typical_training_gap": 30.0}}
    record.update(changes)
    return record


def healthy() -> dict:
    """A healthy run's records, as logged (plain dicts a test may tamper with before they are read)."""
    evals = [dict(_evaluation(step=s), fd=fd) for s, fd in ((100, 9.0), (200, 5.0), (300, 3.0))]
    return {"losses": _losses(), "evaluations": evals, "latest": _evaluation(), "dataset": {"images": 8000}}


def facts_of(records: dict, kind: str | None = None) -> Facts:
    extra = {"kind": kind} if kind else {}
    return Facts(losses=records["losses"], evaluations=[Evaluation.from_record(e) for e in records["evaluations"]],
                 latest=Evaluation.from_record(records["latest"]), dataset=records["dataset"], **extra)


def test_a_healthy_run_has_no_problem_findings_and_is_green():
    facts = facts_of(healthy())
    assert problems(facts) == []
    assert status(reassurances(facts)) == "green"
    assert 3 <= len(reassurances(facts)) <= 5


@pytest.mark.parametrize(("rule", "craft"), [
    ("divergence", lambda f: f["losses"][17].update(g_loss=math.nan)),
    ("divergence", lambda f: [row.update(g_loss=12.0) for row in f["losses"][-8:]]),
    ("discriminator_dominates", lambda f: [row.update(d_fake=0.01) for row in f["losses"][-10:]]),
    ("mode_collapse", lambda f: f["latest"].update(duplicate_rate=0.4)),
    ("mode_collapse", lambda f: f["latest"].update(diversity=0.3)),
    ("no_improvement", lambda f: [e.update(fd=5.0 + e["step"] / 100) for e in f["evaluations"]]),
    ("near_copies", lambda f: f["latest"]["memorisation"].update(near_copy_rate=0.3)),
    ("too_little_data", lambda f: f["dataset"].update(images=120)),
])
def test_each_rule_fires_on_its_problem_alone_with_evidence(rule, craft):
    records = healthy()
    craft(records)
    found = problems(facts_of(records))
    assert [finding.rule for finding in found] == [rule]
    assert found[0].evidence and found[0].sentence.endswith(".")
    assert status(found) in ("amber", "red")


def test_a_vae_run_is_described_by_its_own_losses_never_by_a_discriminator():
    records = healthy()
    for row in records["losses"]:
        row.update(g_loss=0.08, d_loss=3.5, d_real=math.nan, d_fake=math.nan)  # a VAE has no D outputs
    facts = facts_of(records, AUTOENCODER)
    assert problems(facts) == []
    stable = next(finding for finding in reassurances(facts) if finding.rule == "stable")
    assert "Reconstruction was 0.08" in stable.sentence and "KL divergence was 3.50" in stable.sentence
    assert "D(x)" not in stable.sentence and "nan" not in stable.sentence


def test_a_tampered_evaluation_record_is_one_sentence_naming_the_field():
    from studio.core.errors import StudioError

    with pytest.raises(StudioError, match="'fd' that is not a number"):
        Evaluation.from_record(_evaluation(fd="low"), "'step-000400.json'")
    assert Evaluation.from_record(_evaluation(pairs_image="../../etc/passwd")).pairs_image == ""
