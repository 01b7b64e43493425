"""The role head: a ROLE tagger on an inner encoder layer that leaves every other family's logits alone."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import torch

from quoteattr.errors import ModelLoadError
from quoteattr.inference import QuoteAttributor
from quoteattr.model.directory import ROLE_HEAD_FILE
from quoteattr.model.features import PaddingCollator, family_spans
from quoteattr.model.heads import TaggerWithHeads
from quoteattr.model.model_card import render_card
from quoteattr.model.modeling import load_model
from quoteattr.model.role_head import RoleHead, RoleHeadSettings, span_f1, window_states
from quoteattr.schema import Document

SMALL = RoleHeadSettings(layer=1, width=3, hidden=16)


@pytest.fixture(scope="module")
def fitted(tiny_model: Path, tiny_documents: list[Document]) -> RoleHead:
    tagger, tokenizer, settings, _ = load_model(tiny_model)
    return RoleHead.fit(tagger.float(), tokenizer, settings, tiny_documents * 4, SMALL, epochs=40, learning_rate=3e-2)


def test_the_head_learns_the_roles_it_is_shown(
    tiny_model: Path, tiny_documents: list[Document], fitted: RoleHead
) -> None:
    tagger, tokenizer, settings, _ = load_model(tiny_model)
    windows = window_states(tagger.float(), tokenizer, settings, tiny_documents, SMALL.layer, stride=0)
    roles = sum(len(family_spans(document, "ROLE") or []) for document in tiny_documents)
    assert roles and sum(int((window.labels == 1).sum()) for window in windows) == roles  # each gold role is taught
    untrained = RoleHead(tagger.config.hidden_size, SMALL).eval()
    assert span_f1(fitted, windows) >= 0.5
    assert span_f1(fitted, windows) > span_f1(untrained, windows)


def test_a_head_learns_from_a_teacher_on_texts_without_roles(
    tiny_model: Path, tiny_documents: list[Document], fitted: RoleHead
) -> None:
    tagger, tokenizer, settings, scheme = load_model(tiny_model)
    tagger.float()
    sharp = copy.deepcopy(fitted)  # a sure teacher: the fitted head's logits times four
    with torch.no_grad():
        sharp.output.weight.mul_(4)
        sharp.output.bias.mul_(4)
    teacher = TaggerWithHeads(tagger, scheme, sharp)
    unlabelled = [Document(f"plain-{i}", document.text) for i, document in enumerate(tiny_documents * 4)]
    student = RoleHead.fit(
        tagger, tokenizer, settings, [], SMALL, epochs=60, learning_rate=1e-1, teacher=teacher, unlabelled=unlabelled
    )
    windows = window_states(tagger, tokenizer, settings, tiny_documents, SMALL.layer, stride=0)
    assert span_f1(sharp, windows) >= 0.5
    assert span_f1(student, windows) >= 0.5
    assert span_f1(RoleHead(tagger.config.hidden_size, SMALL).eval(), windows) < 0.5


def test_only_the_role_logits_change(tiny_model: Path, fitted: RoleHead) -> None:
    tagger, tokenizer, _, scheme = load_model(tiny_model)
    tagger.float().eval()
    wrapped = TaggerWithHeads(tagger, scheme, fitted)
    texts = ['"We will act," said Senator Jane Doe, chair of the committee.', "Doe added that it would."]
    collate = PaddingCollator(tokenizer.pad_token_id or 0, len(scheme.families))
    inputs = collate([{"input_ids": tokenizer(text)["input_ids"]} for text in texts])
    with torch.inference_mode():
        plain = tagger(**inputs).logits
        logits = wrapped(**inputs).logits
    role = slice(3 * scheme.families.index("ROLE"), 3 * scheme.families.index("ROLE") + 3)
    others = [i for i in range(logits.shape[-1]) if not role.start <= i < role.stop]
    assert torch.equal(logits[..., others], plain[..., others])
    assert not torch.allclose(logits[..., role], plain[..., role])
    # a row's logits do not depend on the padding its batch gave it
    with torch.inference_mode():
        alone = wrapped(**collate([{"input_ids": tokenizer(texts[1])["input_ids"]}])).logits[0]
    assert torch.allclose(logits[1, : len(alone)], alone, atol=1e-5)


def test_a_saved_head_is_loaded_with_its_model(model_copy: Path, fitted: RoleHead) -> None:
    text = '"We will act," said Senator Jane Doe, chair of the committee.'
    _, before = QuoteAttributor.load(model_copy, precision="fp32").token_scores([text])[0]
    fitted.save(model_copy)
    attributor = QuoteAttributor.load(model_copy, precision="fp32")
    assert isinstance(attributor.model, TaggerWithHeads)
    _, after = attributor.token_scores([text])[0]
    for index, family in enumerate(attributor.scheme.families):
        same = bool((after[:, index] == before[:, index]).all())
        assert same is (family != "ROLE"), family
    assert "## Role head" in render_card(model_copy)
    assert "after layer 1" in render_card(model_copy)
    assert "GRU" not in render_card(model_copy)


def test_a_head_with_context_reads_the_whole_row_and_no_padding() -> None:
    torch.manual_seed(0)
    head = RoleHead(8, RoleHeadSettings(layer=1, width=3, hidden=4, context=4)).eval()
    states = torch.randn(2, 12, 8)
    mask = torch.ones(2, 12)
    mask[1, 7:] = 0
    with torch.inference_mode():
        batch = head(states, mask)
        alone = head(states[1:, :7], torch.ones(1, 7))
        changed = states.clone()
        changed[0, 11] += 1.0  # the last token: beyond the convolution's reach of the first
        moved = head(changed, mask)
    assert torch.allclose(batch[1, :7], alone[0], atol=1e-5)  # padding after a row changes none of its logits
    assert not torch.allclose(moved[0, 0], batch[0, 0])  # the GRU carries the window's far end to its start
    assert torch.equal(moved[1], batch[1])


def test_a_saved_head_with_context_keeps_it(model_copy: Path) -> None:
    tagger, *_ = load_model(model_copy)
    head = RoleHead(tagger.config.hidden_size, RoleHeadSettings(layer=1, width=3, hidden=8, context=6)).eval()
    head.save(model_copy)
    loaded = RoleHead.load(model_copy)
    assert loaded is not None and loaded.settings.context == 6
    assert all(
        torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), head.half().float().state_dict().values())
    )
    assert "bidirectional GRU of 6 units" in render_card(model_copy)


def test_a_model_without_a_head_says_nothing_of_one(tiny_model: Path) -> None:
    assert not isinstance(QuoteAttributor.load(tiny_model, precision="fp32").model, TaggerWithHeads)
    assert "## Role head" not in render_card(tiny_model)


def test_a_damaged_head_is_one_clear_error(model_copy: Path, fitted: RoleHead) -> None:
    fitted.save(model_copy)
    settings = (model_copy / ROLE_HEAD_FILE).with_suffix(".json")
    shape = json.loads(settings.read_text(encoding="utf-8"))
    settings.write_text(json.dumps({**shape, "layer": 9}), encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"role_head\.safetensors: the role head does not fit"):
        QuoteAttributor.load(model_copy, precision="fp32")
    (model_copy / ROLE_HEAD_FILE).write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match=r"role_head\.safetensors: not a role head") as error:
        QuoteAttributor.load(model_copy, precision="fp32")
    assert "\n" not in str(error.value)
