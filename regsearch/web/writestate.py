"""The write side's per-process objects: the store, the index sync thread, the actor.

The store is opened on first use; a public page never creates it (no store file
yet means no accounts and no change history, not an error). The sync thread starts
with the app when the store exists, so a restarted server catches the index up
with whatever was stored before it stopped.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user

from regsearch.pg import url_of
from regsearch.store import Store, default_store_path, open_store
from regsearch.store.base import Actor
from regsearch.store.sync import BackgroundSync

STORE = "regsearch.store"
SYNC = "regsearch.sync"
_lock = threading.Lock()


def index_dir(app: Flask) -> Path:
    service = app.extensions.get("regsearch.service")
    if getattr(service, "index_dir", None) is not None:
        return Path(service.index_dir)  # type: ignore[union-attr]
    if app.config.get("INDEX"):
        return Path(app.config["INDEX"])
    from regsearch.engine import default_location as default_index_dir

    return default_index_dir()


def store_path(app: Flask) -> Path | str:
    """The store's file, or the postgresql:// URL of a store in the index's database."""
    configured = app.config.get("STORE")
    if configured:
        return url_of(configured) or Path(configured)
    return url_of(index_dir(app)) or default_store_path(index_dir(app))


def _exists(where: Path | str) -> bool:
    if isinstance(where, str):  # a database: whether it holds the store's tables
        from regsearch.store import database_has_store

        return database_has_store(where)
    return where.exists()


def get_store(app: Flask | None = None, create: bool = True) -> Store | None:
    """The app's store; None if it does not exist yet and `create` is False."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get(STORE)
    if store is not None:
        return store
    if not create and not _exists(store_path(app)):
        return None
    with _lock:
        store = app.extensions.get(STORE)
        if store is None:
            store = open_store(store_path(app))
            app.extensions[STORE] = store
    return store


def store() -> Store:
    found = get_store()
    assert found is not None
    return found


def start_sync(app: Flask) -> BackgroundSync | None:
    """Start the index sync thread (once) if the app has a store and syncing is on."""
    if not app.config.get("SYNC_INDEX", True):
        return None
    existing = app.extensions.get(SYNC)
    if existing is not None:
        return existing
    found = get_store(app, create=False)
    if found is None:
        return None
    with _lock:
        if app.extensions.get(SYNC) is None:
            app.extensions[SYNC] = BackgroundSync(found, index_dir(app)).start()
    return app.extensions[SYNC]


def changed() -> None:
    """Something public was stored: ask the sync thread to bring the index up to date."""
    syncer = start_sync(current_app._get_current_object())  # type: ignore[attr-defined]
    if syncer is not None:
        syncer.request()


def shutdown(app: Flask) -> None:
    """Stop the sync thread and close the store (tests and an orderly server stop)."""
    syncer = app.extensions.pop(SYNC, None)
    if syncer is not None:
        syncer.stop()
    found = app.extensions.pop(STORE, None)
    if found is not None:
        found.close()


def client_address() -> str:
    return request.remote_addr or ""


def actor(user: Any = None) -> Actor:
    """The signed-in user (or `user`) as the change and audit logs name them."""
    who = user if user is not None else getattr(current_user, "record", None)
    if who is None:
        return Actor(name="匿名", address=client_address())
    return Actor(name=who.username, id=who.id, address=client_address())
