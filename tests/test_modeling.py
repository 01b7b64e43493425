"""Saving and loading model directories: round trip, every refusal, no pickle, atomic saves."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from quoteattr.errors import ConfigError, ModelLoadError
from quoteattr.inference import QuoteAttributor
from quoteattr.model.directory import SETTINGS_FILE, WEIGHTS_FILE
from quoteattr.model.features import CAPITALISED, CASE_TYPES
from quoteattr.model.labels import LabelScheme
from quoteattr.model.modeling import ModelSettings, load_model, new_model, save_model


class _CreatesFile:
    """Unpickling this creates `path`: a stand-in for code a malicious pickle would run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def armed_pickle(marker: Path) -> bytes:
    """Pickle bytes whose loading creates `marker`; checked to work on a throw-away marker first."""
    probe = marker.with_name(marker.name + ".probe")
    pickle.loads(pickle.dumps(_CreatesFile(probe)))
    assert probe.exists()
    probe.unlink()
    return pickle.dumps(_CreatesFile(marker))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


# --- round trip ------------------------------------------------------------------------------------------------------


def test_save_load_round_trip(tiny_model: Path, tmp_path: Path) -> None:
    model, tokenizer, settings, scheme = load_model(tiny_model)
    target = save_model(model, tokenizer, settings, tmp_path / "copy", extra_files={"NOTES.md": "hello\n"})
    assert target == tmp_path / "copy"
    assert (target / "NOTES.md").read_text(encoding="utf-8") == "hello\n"
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in os.listdir(target))
    model2, tokenizer2, settings2, scheme2 = load_model(str(target))
    assert settings2 == settings and scheme2 == scheme == LabelScheme()
    assert model2.config.id2label == model.config.id2label
    before, after = model.state_dict(), model2.state_dict()
    assert before.keys() == after.keys()
    for name in before:
        assert torch.equal(before[name].float(), after[name].float()), name
    sample = "“We will not back down,” said Senator Jane Doe.\n\nCafé 🙂"
    assert tokenizer2(sample, return_offsets_mapping=True).data == tokenizer(sample, return_offsets_mapping=True).data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no staging or backup directory left


def test_save_half_round_trip(tiny_model: Path, tmp_path: Path) -> None:
    model, tokenizer, settings, _ = load_model(tiny_model)
    model = model.float()
    save_model(model, tokenizer, settings, tmp_path / "half", half=True)
    stored = load_file(tmp_path / "half" / WEIGHTS_FILE)
    assert {tensor.dtype for tensor in stored.values()} == {torch.float16}
    loaded, _, _, _ = load_model(tmp_path / "half")
    for name, tensor in model.state_dict().items():
        assert torch.allclose(tensor, loaded.state_dict()[name].float(), atol=1e-2, rtol=1e-2), name
    assert next(model.parameters()).dtype == torch.float32  # the caller's model is left as it was
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in (tmp_path / "half").iterdir())  # readable by all


def test_save_over_existing_model_replaces_it(tiny_model: Path, tmp_path: Path) -> None:
    model, tokenizer, settings, _ = load_model(tiny_model)
    target = tmp_path / "model"
    save_model(model, tokenizer, settings, target, extra_files={"OLD.md": "old"})
    settings.training = {"run": 2}
    save_model(model, tokenizer, settings, target)
    assert not (target / "OLD.md").exists()
    assert load_model(target)[2].training == {"run": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# --- refusals --------------------------------------------------------------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="model directory not found") as caught:
        load_model(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(caught.value)


def test_a_file_is_not_a_model_directory(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelLoadError, match="model directory not found"):
        load_model(tmp_path / "model.safetensors")


def test_missing_files_are_named(model_copy: Path) -> None:
    (model_copy / WEIGHTS_FILE).unlink()
    (model_copy / SETTINGS_FILE).unlink()
    with pytest.raises(ModelLoadError) as caught:
        load_model(model_copy)
    message = str(caught.value)
    assert str(model_copy) in message
    assert "missing" in message and WEIGHTS_FILE in message and SETTINGS_FILE in message
    assert "config.json" not in message


def test_pickle_only_directory_is_refused_without_unpickling(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    model = tmp_path / "pickled"
    model.mkdir()
    (model / "pytorch_model.bin").write_bytes(armed_pickle(marker))
    with pytest.raises(ModelLoadError, match="pickle weights are never loaded") as caught:
        load_model(model)
    assert "pytorch_model.bin" in str(caught.value)
    assert not marker.exists()


def test_full_directory_with_pickle_weights_is_refused_without_unpickling(model_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (model_copy / WEIGHTS_FILE).unlink()
    (model_copy / "pytorch_model.bin").write_bytes(armed_pickle(marker))
    (model_copy / "training_args.pt").write_bytes(armed_pickle(marker))
    with pytest.raises(ModelLoadError, match="pickle weights are never loaded") as caught:
        load_model(model_copy)
    assert "pytorch_model.bin" in str(caught.value) and "training_args.pt" in str(caught.value)
    assert not marker.exists()


def test_pickle_beside_safetensors_is_never_read(model_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (model_copy / "pytorch_model.bin").write_bytes(armed_pickle(marker))
    load_model(model_copy)
    assert not marker.exists()


def _truncate(weights: Path) -> None:
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def _header_only(weights: Path) -> None:
    weights.write_bytes(weights.read_bytes()[:64])


def _garbage(weights: Path) -> None:
    weights.write_bytes(b"\xff" * 8 + b"{not json at all")


def _text(weights: Path) -> None:
    weights.write_text('{"weights": "somewhere else"}', encoding="utf-8")


@pytest.mark.parametrize("damage", [_truncate, _header_only, _garbage, _text, lambda w: w.write_bytes(b"")])
def test_corrupt_safetensors(model_copy: Path, damage: Callable[[Path], None]) -> None:
    damage(model_copy / WEIGHTS_FILE)
    with pytest.raises(ModelLoadError, match="corrupt model files") as caught:
        load_model(model_copy)
    assert str(model_copy) in str(caught.value)


def _drop_tensors(keep: Callable[[str], bool]) -> Callable[[Path], None]:
    def damage(weights: Path) -> None:
        tensors = load_file(weights)
        save_file({name: t for name, t in tensors.items() if keep(name)}, weights, metadata={"format": "pt"})

    return damage


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (_drop_tensors(lambda name: "classifier" not in name), "classifier.weight"),
        (_drop_tensors(lambda name: "word_embeddings" not in name), "word_embeddings"),
        (_drop_tensors(lambda name: False), "bert.embeddings.LayerNorm.bias"),
    ],
    ids=["no-classifier", "no-embeddings", "no-tensors"],
)
def test_safetensors_missing_weights_is_not_a_random_model(
    model_copy: Path, damage: Callable[[Path], None], named: str
) -> None:
    damage(model_copy / WEIGHTS_FILE)
    with pytest.raises(ModelLoadError, match="missing weights") as caught:
        load_model(model_copy)
    assert named in str(caught.value)


def test_missing_tokenizer_is_not_an_empty_vocabulary(model_copy: Path) -> None:
    (model_copy / "tokenizer.json").unlink()
    with pytest.raises(ModelLoadError, match=r"tokenizer\.json"):
        load_model(model_copy)


def test_unreadable_settings(model_copy: Path) -> None:
    (model_copy / SETTINGS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="unreadable settings") as caught:
        load_model(model_copy)
    assert SETTINGS_FILE in str(caught.value)


def test_unreadable_config(model_copy: Path) -> None:
    (model_copy / "config.json").write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="unreadable config"):
        load_model(model_copy)


def test_other_label_set_names_both_label_lists(model_copy: Path) -> None:
    def per_labels(config: dict[str, Any]) -> None:
        config["id2label"] = {"0": "O", "1": "B-PER", "2": "I-PER"}
        config["label2id"] = {"O": 0, "B-PER": 1, "I-PER": 2}

    edit_json(model_copy / "config.json", per_labels)
    with pytest.raises(ModelLoadError) as caught:
        load_model(model_copy)
    message = str(caught.value)
    assert str(model_copy) in message
    assert "['O', 'B-PER', 'I-PER']" in message
    assert "'B-QUOTE'" in message and "'I-ROLE'" in message


def test_config_and_settings_disagree_on_families(model_copy: Path) -> None:
    families = ["QUOTE", "SPEAKER"]
    labels = LabelScheme(tuple(families)).id2label

    def two_families(config: dict[str, Any]) -> None:
        config["id2label"] = {str(i): label for i, label in labels.items()}
        config["label2id"] = {label: i for i, label in labels.items()}

    edit_json(model_copy / "config.json", two_families)
    with pytest.raises(ModelLoadError) as caught:
        load_model(model_copy)
    message = str(caught.value)
    assert "['QUOTE', 'SPEAKER']" in message and "['QUOTE', 'SPEAKER', 'CUE', 'ROLE']" in message


def test_weights_of_another_shape(model_copy: Path) -> None:
    """A config and settings saying two families, over weights trained for four: refused, not re-initialised."""
    labels = LabelScheme(("QUOTE", "SPEAKER")).id2label

    def two_families(config: dict[str, Any]) -> None:
        config["id2label"] = {str(i): label for i, label in labels.items()}
        config["label2id"] = {label: i for i, label in labels.items()}

    edit_json(model_copy / "config.json", two_families)
    edit_json(model_copy / SETTINGS_FILE, lambda settings: settings.update(families=["QUOTE", "SPEAKER"]))
    with pytest.raises(ModelLoadError, match="corrupt model files"):
        load_model(model_copy)


# --- atomic saves ----------------------------------------------------------------------------------------------------


def test_failed_save_leaves_previous_model_untouched(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, tokenizer, settings, _ = load_model(tiny_model)
    target = save_model(model, tokenizer, settings, tmp_path / "model", extra_files={"README.md": "the good one\n"})
    before = snapshot(target)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(tokenizer, "save_pretrained", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        save_model(model, tokenizer, ModelSettings(max_length=64), target)
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary directory left behind
    assert load_model(target)[2] == settings


def test_failed_first_save_leaves_nothing(tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, tokenizer, settings, _ = load_model(tiny_model)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tokenizer, "save_pretrained", fail)
    with pytest.raises(OSError, match="No space left"):
        save_model(model, tokenizer, settings, tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_failed_final_rename_puts_previous_model_back(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, tokenizer, settings, _ = load_model(tiny_model)
    target = save_model(model, tokenizer, settings, tmp_path / "model")
    before = snapshot(target)
    real_replace = os.replace

    def replace(source: Any, destination: Any) -> None:
        if Path(destination) == target and Path(source).name != f".{target.name}.old":  # staging -> target
            raise PermissionError(13, "Permission denied")
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        save_model(model, tokenizer, settings, target)
    monkeypatch.undo()
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# --- case features ---------------------------------------------------------------------------------------------------


def test_case_features_add_token_types_that_start_as_the_pretrained_one(tiny_base_model: Path) -> None:
    plain, _ = new_model(str(tiny_base_model), LabelScheme())
    cased, _ = new_model(str(tiny_base_model), LabelScheme(), case_features=True)
    pretrained = plain.base_model.embeddings.token_type_embeddings.weight
    types = cased.base_model.embeddings.token_type_embeddings.weight
    assert types.shape == (CASE_TYPES, pretrained.shape[1]) and cased.config.type_vocab_size == CASE_TYPES
    assert all(torch.equal(row, pretrained[0]) for row in types)


def test_encoder_without_token_types_is_refused_for_case_features(tmp_path: Path, tiny_base_model: Path) -> None:
    from transformers import AutoTokenizer, DistilBertConfig, DistilBertForTokenClassification

    config = DistilBertConfig(vocab_size=200, dim=16, n_layers=1, n_heads=2, hidden_dim=32)
    DistilBertForTokenClassification(config).save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_base_model).save_pretrained(tmp_path)
    with pytest.raises(ConfigError, match="no token type embeddings; train it with case_features = false"):
        new_model(str(tmp_path), LabelScheme(), case_features=True)
    new_model(str(tmp_path), LabelScheme())  # without case features it is a usable base


@pytest.mark.parametrize("case_features", [True, False])
def test_predictions_read_case_only_when_the_model_has_case_features(tiny_model: Path, case_features: bool) -> None:
    attributor = QuoteAttributor.load(tiny_model, device="cpu")
    assert attributor.settings.case_features  # the tiny model is trained with them, as by default
    attributor.settings.case_features = case_features
    with torch.no_grad():  # make capitals matter a lot, so any use of them shows
        attributor.model.base_model.embeddings.token_type_embeddings.weight[CAPITALISED] += 3.0
    (_, upper), (_, lower) = attributor.token_scores(["Doe said it", "doe said it"])
    assert np.allclose(upper, lower) is not case_features


def test_the_family_loss_is_one_mean_over_hard_labels_and_soft_targets() -> None:
    """Hard labels and the teacher's soft targets weigh alike: one cross-entropy per taught
    (token, family) pair, averaged; pairs with neither teach nothing."""
    from quoteattr.model.labels import IGNORE
    from quoteattr.model.modeling import family_loss

    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(1, 3, 2 * 3, generator=generator)  # 3 tokens, 2 families
    labels = torch.tensor([[[1, IGNORE], [IGNORE, IGNORE], [0, IGNORE]]])
    teacher = torch.zeros(1, 3, 2, 3)
    teacher[0, 1, 1] = torch.tensor([0.2, 0.5, 0.3])
    log_q = logits.reshape(3, 2, 3).log_softmax(-1)
    expected = -(log_q[0, 0, 1] + log_q[2, 0, 0] + (teacher[0, 1, 1] * log_q[1, 1]).sum()) / 3
    assert torch.allclose(family_loss({"logits": logits}, labels, teacher=teacher), expected)
    hard_only = -(log_q[0, 0, 1] + log_q[2, 0, 0]) / 2
    assert torch.allclose(family_loss({"logits": logits}, labels), hard_only)
    # a teacher that is the model itself is matched at its own entropy: the gradient pulls nowhere
    own = logits.detach().reshape(1, 3, 2, 3).softmax(-1)
    moving = logits.clone().requires_grad_(True)
    family_loss({"logits": moving}, torch.full_like(labels, IGNORE), teacher=own).backward()
    assert moving.grad is not None and moving.grad.abs().max() < 1e-6
