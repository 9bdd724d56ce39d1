"""``log_level`` (file or ``IDP_LOG_LEVEL``) sets the root logger's level even when the root
logger already has handlers (a host's, pytest's), where ``logging.basicConfig`` does nothing."""

from __future__ import annotations

import logging

import pytest

from support import make_settings


@pytest.fixture
def root_with_a_handler():
    root = logging.getLogger()
    level, authlib_level = root.level, logging.getLogger("authlib").level
    handler = logging.NullHandler()
    root.addHandler(handler)
    root.setLevel(logging.CRITICAL)
    yield root
    root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("authlib").setLevel(authlib_level)


@pytest.mark.parametrize("level", ["DEBUG", "WARNING", "ERROR"])
def test_log_level_applies_when_the_root_logger_has_handlers(tmp_path, root_with_a_handler, level):
    from idp.app import create_app

    assert root_with_a_handler.handlers   # basicConfig would leave the level alone
    create_app(settings=make_settings(tmp_path, log_level=level))
    assert logging.getLevelName(root_with_a_handler.level) == level
    assert logging.getLogger("authlib").level >= logging.INFO   # never its DEBUG "Issue token" lines
