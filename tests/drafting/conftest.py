"""Drafting tests talk to a local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The model endpoint, over real HTTP on 127.0.0.1."""
    with FakeOpenAI.running() as server:
        yield server
