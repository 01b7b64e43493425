"""Training configuration checks, and resuming an interrupted run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from transformers import PreTrainedTokenizerBase

from quoteattr.errors import ConfigError
from quoteattr.model.labels import IGNORE, LabelScheme
from quoteattr.model.training import DataSource, TrainConfig, train
from tests.helpers import tiny_training_config

REPO = Path(__file__).parent.parent
TINY_DATA = Path(__file__).parent / "data" / "tiny.jsonl"


@pytest.mark.parametrize("path", sorted((REPO / "training" / "configs").glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_config_loads(path: Path) -> None:
    config = TrainConfig.from_toml(path)
    assert config.train_data and config.epochs > 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"seed": "x"}, "seed='x' is invalid: expected int"),
        ({"dev_data": "data/"}, "dev_data='data/' is invalid: expected list"),
        ({"epochs": 0}, "epochs=0 is invalid"),
        ({"device": "tpu"}, "device='tpu' is invalid"),
        ({"train_stride": 300}, "train_stride=300 is invalid"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**overrides)


def test_an_interrupted_run_resumes_and_never_leaves_a_half_model(
    tmp_path: Path, tiny_base_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quoteattr.model.training as training

    output = tmp_path / "model"
    config = tiny_training_config(output, tiny_base_model)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "save_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    assert not output.exists()
    checkpoints = Path(f"{output}.checkpoints")
    assert sorted(p.name for p in checkpoints.glob("checkpoint-*"))
    monkeypatch.undo()
    result = train(config, resume=True)
    assert (result.output_dir / "model.safetensors").is_file()
    assert not checkpoints.exists()


def test_continuing_a_model_keeps_its_case_features(tiny_model: Path, tmp_path: Path) -> None:
    config = TrainConfig(
        output_dir=str(tmp_path / "out"),
        init_model=str(tiny_model),
        train_data=[DataSource(str(TINY_DATA))],
        dev_data=[],
        case_features=False,
    )
    with pytest.raises(ConfigError, match="has case_features = true, the config asks false"):
        train(config)
    assert not (tmp_path / "out").exists()


def test_continuing_a_model_carries_its_scorers_but_not_its_role_head(
    model_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import numpy as np

    from quoteattr.attribution.speaker_links import DIMENSIONS, SpeakerLinker
    from quoteattr.model.role_head import RoleHead, RoleHeadSettings

    SpeakerLinker(np.linspace(-1, 1, DIMENSIONS, dtype=np.float32)).save(model_copy)
    RoleHead(32, RoleHeadSettings(layer=1, width=3, hidden=4)).save(model_copy)
    config = dataclasses.replace(
        tiny_training_config(tmp_path / "out", model_copy), base_model="", init_model=str(model_copy), epochs=1
    )
    with caplog.at_level("INFO", logger="quoteattr.model.training"):
        output = train(config).output_dir
    for name in ("speaker_links.safetensors", "speaker_links.json"):
        assert (output / name).read_bytes() == (model_copy / name).read_bytes()
    assert not (output / "role_head.safetensors").exists()
    assert "has a role head (role_head.safetensors)" in caplog.text
    assert "## Speaker linker" in (output / "README.md").read_text(encoding="utf-8")


def test_continuing_a_model_carries_a_decision_that_reads_its_states_with_its_readout(
    model_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import numpy as np

    from quoteattr.attribution.decisions import DECISIONS, DIMENSIONS, QuotationDecider
    from quoteattr.inference import QuoteAttributor
    from quoteattr.model.decision_readout import DecisionReadout

    QuotationDecider(np.zeros((len(DECISIONS), DIMENSIONS), np.float32), reads_states=True).save(model_copy)
    DecisionReadout(32, [1]).save(model_copy)
    config = dataclasses.replace(
        tiny_training_config(tmp_path / "out", model_copy), base_model="", init_model=str(model_copy), epochs=1
    )
    with caplog.at_level("INFO", logger="quoteattr.model.training"):
        output = train(config).output_dir
    for name in ("decisions.safetensors", "decision_readout.safetensors", "decision_readout.json"):
        assert (output / name).read_bytes() == (model_copy / name).read_bytes()
    assert "through decision_readout.safetensors, which this run changed" in caplog.text
    assert "training/decisions.py" in caplog.text
    decider = QuoteAttributor.load(output, device="cpu").decider
    assert decider is not None and decider.reads_states  # it loads, with its readout


def test_a_student_gets_no_decision_that_reads_its_teachers_states(
    model_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import numpy as np

    from quoteattr.attribution.decisions import DECISIONS, DIMENSIONS, QuotationDecider
    from quoteattr.inference import QuoteAttributor
    from quoteattr.model.decision_readout import DecisionReadout

    QuotationDecider(np.zeros((len(DECISIONS), DIMENSIONS), np.float32), reads_states=True).save(model_copy)
    DecisionReadout(32, [2]).save(model_copy)  # the tiny model's second layer: a one-layer student has none
    config = dataclasses.replace(
        tiny_training_config(tmp_path / "out", model_copy),
        base_model="",
        init_model=str(model_copy),
        epochs=1,
        layers=1,
    )
    with caplog.at_level("INFO", logger="quoteattr.model.training"):
        output = train(config).output_dir
    assert not (output / "decisions.safetensors").exists() and not (output / "decision_readout.safetensors").exists()
    assert "which a student does not keep" in caplog.text
    assert QuoteAttributor.load(output, device="cpu").decider is None  # it loads, keeping every tagged span


def test_training_never_writes_into_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for output in ["models/quoteattr-minilm", str(REPO / "models" / "quoteattr-minilm"), "models"]:
        config = TrainConfig(output_dir=output, train_data=[DataSource(str(TINY_DATA))], dev_data=[])
        with pytest.raises(ConfigError, match=r"training never writes there.*quoteattr promote"):
            train(config)
    assert not (tmp_path / "models").exists()


def test_configs_and_defaults_write_under_runs() -> None:
    outputs = [TrainConfig().output_dir] + [
        TrainConfig.from_toml(path).output_dir for path in (REPO / "training" / "configs").glob("*.toml")
    ]
    assert all(Path(output).parts[0] == "runs" for output in outputs), outputs


def test_a_missing_init_model_says_which_config_makes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    if Path("runs/polnear").exists():
        pytest.skip("runs/polnear exists in this checkout")
    config = TrainConfig.from_toml(REPO / "training" / "configs" / "minilm.toml")
    with pytest.raises(ConfigError) as raised:
        train(config)
    assert str(raised.value) == (
        "init_model runs/polnear: model directory not found; it is made by another config: "
        "train it first with `quoteattr train --config training/configs/polnear.toml`"
    )


def test_train_data_may_be_plain_paths() -> None:
    config = TrainConfig(train_data=["a.jsonl", {"path": "b.jsonl", "repeat": 3}])  # type: ignore[list-item]
    assert config.train_data == [DataSource("a.jsonl"), DataSource("b.jsonl", repeat=3)]


def test_a_later_epoch_wins_a_tie() -> None:
    from types import SimpleNamespace

    import numpy as np

    from quoteattr.model.training import _LaterEpochWinsTies

    state = SimpleNamespace(best_metric=0.0)
    _LaterEpochWinsTies("eval_f1_mean").on_evaluate(None, state, None, metrics={"eval_f1_mean": 0.0})
    assert np.greater(0.0, state.best_metric), "the Trainer's strict comparison now takes the tied epoch"
    state = SimpleNamespace(best_metric=0.5)
    _LaterEpochWinsTies("eval_f1_mean").on_evaluate(None, state, None, metrics={"eval_f1_mean": 0.25})
    assert state.best_metric == 0.5


def test_training_log_lines_are_rounded(caplog: pytest.LogCaptureFixture) -> None:
    from types import SimpleNamespace

    from quoteattr.model.training import _LogCallback

    state = SimpleNamespace(epoch=1.0, global_step=20, max_steps=40)
    logs = {"loss": 0.123456789, "grad_norm": 1.98766, "learning_rate": 4.98765e-05, "epoch": 1.0}
    with caplog.at_level("INFO", logger="quoteattr.model.training"):
        _LogCallback().on_log(None, state, None, logs=logs)
    assert caplog.messages == ["epoch 1.00 step 20/40: loss 0.1235 grad_norm 1.9877 learning_rate 5.0e-05"]


def test_training_reports_progress_and_prints_nothing(
    tiny_base_model: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """transformers drew a 'Loading weights' bar and a LOAD REPORT table for the new head on stderr."""
    steps: list[tuple[int, int]] = []
    config = tiny_training_config(tmp_path / "model", tiny_base_model)
    from transformers.utils import logging as hf_logging

    before = hf_logging.is_progress_bar_enabled()
    hf_logging.enable_progress_bar()  # as in a fresh process (the CLI tests switch it off for good)
    try:
        train(config, on_step=lambda done, total: steps.append((done, total)))
    finally:
        if not before:
            hf_logging.disable_progress_bar()
    assert steps and steps[-1][0] == steps[-1][1] and [done for done, _ in steps] == list(range(1, len(steps) + 1))
    assert capfd.readouterr().err == ""


def test_a_document_in_two_sources_is_learned_from_the_first_only(tmp_path: Path) -> None:
    from quoteattr.data.jsonl import document_to_record, load_documents
    from quoteattr.model.training import _load_training_documents

    documents = load_documents(TINY_DATA)
    first, second = tmp_path / "gold.jsonl", tmp_path / "other.jsonl"
    first.write_text(json.dumps(document_to_record(documents[0])) + "\n", encoding="utf-8")
    relabelled = [dataclasses.replace(documents[0], quotes=()), *documents[1:]]
    second.write_text("".join(json.dumps(document_to_record(d)) + "\n" for d in relabelled), encoding="utf-8")
    config = TrainConfig(train_data=[DataSource(str(first), repeat=2), DataSource(str(second), limit=1)])
    loaded, taught = _load_training_documents(config)
    assert [d.id for d in loaded] == [documents[0].id, documents[0].id, documents[1].id]
    assert loaded[0].quotes == documents[0].quotes
    assert taught == [None, None, None]


def test_a_source_teaches_only_its_families(word_tokenizer: PreTrainedTokenizerBase) -> None:
    """`families = ["ROLE"]`: the source's other spans are not learned (ignored), not learned as absent."""
    from quoteattr.model.features import training_rows
    from quoteattr.model.training import _load_training_documents

    config = TrainConfig(train_data=[DataSource(str(TINY_DATA), limit=1, families=["ROLE"])])
    loaded, taught = _load_training_documents(config)
    assert taught == [["ROLE"]]
    scheme = LabelScheme()
    full, _ = training_rows(loaded, word_tokenizer, scheme, 64, 8)
    roles_only, _ = training_rows(loaded, word_tokenizer, scheme, 64, 8, taught=taught)
    role = scheme.families.index("ROLE")
    for full_row, row in zip(full, roles_only, strict=True):
        assert [labels[role] for labels in row["labels"]] == [labels[role] for labels in full_row["labels"]]
        assert all(labels[f] == IGNORE for labels in row["labels"] for f in range(len(scheme.families)) if f != role)
    assert any(labels[role] != IGNORE for row in roles_only for labels in row["labels"]), "the tiny document has roles"
    with pytest.raises(ConfigError, match="families must be"):
        DataSource("a.jsonl", families=["PERSON"])


def test_the_kept_epoch_is_chosen_by_a_score_of_a_tagged_family() -> None:
    assert TrainConfig(best_metric="f1_ROLE").best_metric == "f1_ROLE"
    with pytest.raises(ConfigError, match="best_metric"):
        TrainConfig(best_metric="f1_PERSON")
    with pytest.raises(ConfigError, match="best_metric"):
        TrainConfig(families=["QUOTE", "SPEAKER"], best_metric="f1_ROLE")


def test_untaught_families_learn_the_starting_models_own_probabilities(tiny_model: Path) -> None:
    """`keep_untaught`: on a roles-only source, the other families are taught the model's own
    probabilities before training (soft targets) on text tokens; roles keep their gold labels, the
    hard labels of the other families stay ignored, and special tokens teach nothing."""
    import torch

    from quoteattr.data.jsonl import load_documents
    from quoteattr.model.features import PaddingCollator, training_rows
    from quoteattr.model.modeling import load_model
    from quoteattr.model.training import _own_probabilities

    model, tokenizer, settings, scheme = load_model(tiny_model)
    model.float()
    documents = load_documents(TINY_DATA)[:1] * 2  # a source repeated twice: each window read once, filled twice
    role = scheme.families.index("ROLE")
    gold, _ = training_rows(documents, tokenizer, scheme, 32, 8, settings.case_features)
    rows, _ = training_rows(documents, tokenizer, scheme, 32, 8, settings.case_features, taught=[["ROLE"]] * 2)
    filled = _own_probabilities(model, tokenizer.pad_token_id, scheme)([dict(row) for row in rows])
    collate = PaddingCollator(tokenizer.pad_token_id or 0, len(scheme.families))
    batch = collate(filled)
    with torch.inference_mode():
        logits = model(**{k: v for k, v in batch.items() if k not in ("labels", "teacher")}).logits
    own = logits.reshape(*logits.shape[:2], len(scheme.families), 3).softmax(-1)
    untaught = [f for f in range(len(scheme.families)) if f != role]
    for index, (row, gold_row) in enumerate(zip(filled, gold, strict=True)):
        assert row["untaught"] == untaught
        teacher = torch.tensor(row["teacher"])
        assert teacher[:, role].abs().sum() == 0
        for token, (labels, gold_labels) in enumerate(zip(row["labels"], gold_row["labels"], strict=True)):
            assert labels[role] == gold_labels[role]
            assert all(labels[f] == IGNORE for f in untaught)
            if gold_labels[role] == IGNORE:  # [CLS], [SEP], paragraph separators
                assert not row["text_tokens"][token] and teacher[token].abs().sum() == 0
            else:
                assert torch.allclose(teacher[token, untaught], own[index, token, untaught], atol=1e-5)


def test_a_student_keeps_evenly_spaced_layers_ending_with_the_last_and_freezes_its_embeddings() -> None:
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from quoteattr.model.modeling import keep_layers

    torch.manual_seed(0)
    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=6, num_attention_heads=2, intermediate_size=16)
    model = BertForTokenClassification(config)
    layers = list(model.bert.encoder.layer)
    assert keep_layers(model, 3) == [1, 3, 5]
    assert list(model.bert.encoder.layer) == [layers[1], layers[3], layers[5]]
    assert model.config.num_hidden_layers == 3
    assert not any(p.requires_grad for p in model.bert.embeddings.parameters())
    assert all(p.requires_grad for p in model.bert.encoder.parameters())
    model(input_ids=torch.tensor([[1, 2, 3]]))  # still runs
    with pytest.raises(ConfigError, match="layers=4 is invalid: the encoder has 3 layers"):
        keep_layers(model, 4)


def test_a_distilled_student_learns_only_its_teachers_probabilities(tiny_model: Path, tmp_path: Path) -> None:
    """`layers` with sources that teach no family (`families = []`): a one-layer student of the
    tiny two-layer model, taught its probabilities alone, shares its embeddings bit for bit."""
    from safetensors.torch import load_file

    with pytest.raises(ConfigError, match="layers=1 is invalid"):
        TrainConfig(layers=1)  # a student needs a teacher
    config = dataclasses.replace(
        tiny_training_config(tmp_path / "student", tiny_model),
        base_model="",
        init_model=str(tiny_model),
        layers=1,
        keep_untaught=True,
        train_data=[DataSource(str(TINY_DATA), families=[])],
    )
    output = train(config).output_dir
    assert json.loads((output / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"] == 1
    student, teacher = load_file(output / "model.safetensors"), load_file(tiny_model / "model.safetensors")
    embeddings = [name for name in teacher if ".embeddings." in name]
    assert embeddings and all(student[name].equal(teacher[name]) for name in embeddings)
    assert not any("encoder.layer.1." in name for name in student)
    moved = "bert.encoder.layer.0.output.dense.weight"  # the teacher's last layer, trained on
    assert not student[moved].equal(teacher[moved.replace("layer.0", "layer.1")])
