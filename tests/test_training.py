"""Training configuration checks, and resuming an interrupted run."""

from __future__ import annotations

from pathlib import Path

import pytest

from quoteattr.errors import ConfigError
from quoteattr.training import DataSource, TrainConfig, train

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
    import quoteattr.training as training

    output = tmp_path / "model"
    config = TrainConfig(
        output_dir=str(output),
        base_model=str(tiny_base_model),
        train_data=[DataSource(str(TINY_DATA))],
        dev_data=[],
        epochs=2,
        batch_size=4,
        max_length=32,
        train_stride=8,
        stride=8,
        precision="fp32",
        device="cpu",
    )

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
