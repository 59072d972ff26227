"""Bulk loading pauses the cyclic garbage collector and restores it as it was."""

from __future__ import annotations

import gc

from nlp.core.loading import collector_paused


def test_collector_paused_restores_the_collector_even_when_nested_or_failing() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one leaves it to the outer one
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("a failing load")
    except ValueError:
        pass
    assert gc.isenabled()


def test_collector_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_the_pipeline_leaves_the_collector_on() -> None:
    from nlp.pipeline import load_pipeline

    load_pipeline()
    assert gc.isenabled()
